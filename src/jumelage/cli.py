"""The `jumelage` command: what users run. Each sub-command is a Django management command, so
`jumelage X` and `django-admin X` behave the same.

    jumelage demo         create/upgrade the embedded database, load the demo data, serve
    jumelage serve        run the app server (gunicorn)
    jumelage worker       run the background-task worker
    jumelage import FILE  import organisations/people from CSV or XLSX (dry run unless --commit)
    jumelage export FILE  export the directory (optionally filtered) to CSV or XLSX
    jumelage createadmin  create a platform admin
    jumelage manage ...   any other Django management command
"""

import os
import sys

COMMANDS = {
    "demo": "demo",
    "serve": "serve",
    "worker": "db_worker",
    "import": "import_directory",
    "export": "export_directory",
    "createadmin": "createadmin",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumelage.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    from django.core.management import execute_from_command_line

    name, rest = argv[0], argv[1:]
    if name == "manage":
        execute_from_command_line(["jumelage", *rest])
        return 0
    if name not in COMMANDS:
        print(
            f"jumelage: unknown command {name!r}. Commands: {', '.join(COMMANDS)}, manage.", file=sys.stderr
        )
        return 2
    execute_from_command_line(["jumelage", COMMANDS[name], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
