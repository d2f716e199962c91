"""Reader for the MiniZinc data (.dzn) files of the B2B meeting-scheduling benchmark.

Only the subset of MiniZinc data syntax that the published instances use is understood: integer
scalars, one-dimensional arrays of integers or of integer sets, and two-dimensional arrays written
``[| a, b, c | d, e, f |]``. ``%`` starts a comment. Pure Python, no Django import.
"""

from __future__ import annotations

import re
from pathlib import Path

from jumelage.meetings.scheduling.model import ANY, Meeting, Problem

_TOKEN = re.compile(r"\s*(?:(-?\d+)|(\[\|)|(\|\])|(\.\.)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class DznError(ValueError):
    """The text is not MiniZinc data in the subset this reader understands."""


def _tokens(text: str) -> list[str]:
    text = re.sub(r"%[^\n]*", "", text).strip()
    out: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the pattern matches any character
            raise DznError(f"cannot read the text at offset {pos}")
        pos = m.end()
        tok = m.group(0).strip()
        if tok:
            out.append(tok)
    return out


class _Parser:
    def __init__(self, tokens: list[str]):
        self.toks = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None:
            raise DznError(f"unexpected end of data (expected {expected or 'a value'})")
        if expected is not None and tok != expected:
            raise DznError(f"expected {expected!r}, found {tok!r}")
        self.i += 1
        return tok

    def integer(self) -> int:
        tok = self.take()
        try:
            return int(tok)
        except ValueError:
            raise DznError(f"expected an integer, found {tok!r}") from None

    def int_set(self) -> frozenset[int]:
        self.take("{")
        items: set[int] = set()
        while self.peek() != "}":
            lo = self.integer()
            if self.peek() == "..":
                self.take("..")
                items.update(range(lo, self.integer() + 1))
            else:
                items.add(lo)
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return frozenset(items)

    def value(self):
        tok = self.peek()
        if tok == "[|":
            self.take()
            rows: list[list[int]] = [[]]
            while self.peek() != "|]":
                if self.peek() == "|":
                    self.take()
                    rows.append([])
                elif self.peek() == ",":
                    self.take()
                else:
                    rows[-1].append(self.integer())
            self.take("|]")
            return [r for r in rows if r]
        if tok == "[":
            self.take()
            items: list = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            return items
        if tok == "{":
            return self.int_set()
        if tok in ("true", "false"):
            self.take()
            return tok == "true"
        lo = self.integer()
        if self.peek() == "..":
            self.take("..")
            return frozenset(range(lo, self.integer() + 1))
        return lo


def parse_dzn(text: str) -> dict:
    """Return ``{name: value}`` for every assignment in the text."""
    p = _Parser(_tokens(text))
    data: dict = {}
    while p.peek() is not None:
        name = p.take()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise DznError(f"expected a parameter name, found {name!r}")
        p.take("=")
        data[name] = p.value()
        if p.peek() == ";":
            p.take(";")
    return data


def problem_from_dzn(text: str, *, fairness: int | None = 2, name: str = "") -> Problem:
    """Build a :class:`Problem` from the text of a benchmark instance.

    Participants are 1..nBusiness; meetings are numbered in the order of ``requested`` (index 0 is
    meeting 1 of the file). Missing fields mean "none"; slot 0 in ``forbidden`` and ``fixed`` is the
    format's dummy value.
    """
    data = parse_dzn(text)
    for field in ("requested", "nTotalSlots"):
        if field not in data:
            raise DznError(f"the instance has no {field}")
    requested = data["requested"]
    n_participants = data.get("nBusiness") or max((max(r[0], r[1]) for r in requested), default=0)
    n_slots = data["nTotalSlots"]
    n_morning = data.get("nMorningSlots", n_slots)
    n_tables = data.get("nTables", len(requested))
    if "nMeetings" in data and data["nMeetings"] != len(requested):
        raise DznError(f"nMeetings = {data['nMeetings']} but requested has {len(requested)} rows")
    fixed = data.get("fixed") or [0] * len(requested)
    precedences = data.get("precedences") or [frozenset()] * len(requested)
    if len(fixed) != len(requested) or len(precedences) != len(requested):
        raise DznError("fixed and precedences must have one entry per meeting")
    meetings = []
    for k, row in enumerate(requested):
        if len(row) not in (2, 3):
            raise DznError(f"requested row {k + 1} must hold 2 or 3 values, found {len(row)}")
        session = row[2] if len(row) == 3 else ANY
        meetings.append(
            Meeting(
                a=row[0],
                b=row[1],
                session=session,
                fixed_slot=fixed[k] or None,
                after=tuple(sorted(j - 1 for j in precedences[k])),
            )
        )
    forbidden = {}
    for p, slots in enumerate(data.get("forbidden") or [], start=1):
        real = frozenset(s for s in slots if s != 0)
        if real:
            forbidden[p] = real
    return Problem(
        participants=list(range(1, n_participants + 1)),
        n_slots=n_slots,
        n_morning=n_morning,
        n_tables=n_tables,
        meetings=meetings,
        forbidden=forbidden,
        fairness=fairness,
        name=name,
    )


def read_dzn(path: str | Path, *, fairness: int | None = 2) -> Problem:
    path = Path(path)
    return problem_from_dzn(path.read_text(encoding="utf-8"), fairness=fairness, name=path.stem)
