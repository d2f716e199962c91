from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jumelage.directory.taxonomy import TaxonomyImportError, import_skos


class Command(BaseCommand):
    help = (
        "Import a SKOS vocabulary (Turtle, RDF/XML, JSON-LD…) into the shared theme taxonomy. "
        "Idempotent: a re-import updates labels and parents; codes stay stable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the SKOS file, e.g. taxonomy.ttl")
        parser.add_argument("--scheme", help="import only the concepts of this skos:ConceptScheme (its URI)")
        parser.add_argument(
            "--format",
            dest="rdf_format",
            help="RDF syntax (turtle, xml, json-ld, nt…); guessed from the name",
        )

    def handle(self, *args, file, scheme, rdf_format, **options):
        try:
            report = import_skos(path=file, scheme=scheme, rdf_format=rdf_format)
        except TaxonomyImportError as exc:
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if report.schemes and not scheme and len(report.schemes) > 1:
            self.stdout.write(
                "Concept schemes in the file (use --scheme to import one): " + ", ".join(report.schemes)
            )
        self.stdout.write(self.style.SUCCESS(report.summary()))
