"""The pure matchmaking engine: no database, plain functions."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jumelage.matchmaking.engine import Document, MatchEngine, Text, analyse, detect_language

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def world() -> MatchEngine:
    engine = MatchEngine()
    engine.rebuild(
        [
            Document(
                "fr-lab",
                name="Laboratoire Batteries Lille",
                country="FR",
                city="Lille",
                texts="Recherche sur le stockage d'énergie et les batteries lithium.",
                themes=["energy"],
            ),
            Document(
                "be-lab",
                name="Energy Storage Lab Namur",
                country="BE",
                city="Namur",
                texts="Research on energy storage and lithium batteries.",
                themes=["energy"],
                partners=["be-coop"],
            ),
            Document(
                "be-coop",
                name="Zonnecoöperatie Gent",
                country="BE",
                city="Gent",
                texts="Wij bouwen zonnepanelen en opslag van energie voor dorpen.",
                themes=["energy"],
                partners=["be-lab"],
            ),
            Document(
                "fr-cheese",
                name="Fromagerie Arras",
                country="FR",
                city="Arras",
                texts="Fromages traditionnels et tourisme rural.",
                themes=["food"],
            ),
            Document(
                "opp-req",
                kind="opportunity",
                owner="fr-lab",
                intent="request",
                category="technology",
                texts="Nous cherchons une technologie de stockage d'énergie par batteries.",
                themes=["energy"],
            ),
            Document(
                "opp-offer",
                kind="opportunity",
                owner="be-lab",
                intent="offer",
                category="technology",
                texts="We offer battery energy storage technology.",
                themes=["energy"],
            ),
        ]
    )
    return engine


def test_engine_imports_no_django():
    code = "import sys, jumelage.matchmaking.engine; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


def test_language_detection_and_stemming_ignore_accents():
    assert (
        detect_language("Nous cherchons des partenaires pour le stockage de l'énergie dans la région") == "fr"
    )
    assert detect_language("Wij zoeken partners voor de opslag van energie in de grensregio") == "nl"
    assert detect_language("We are looking for partners for energy storage in the border region") == "en"
    assert detect_language("") is None
    _, accented = analyse("Les mobilités électriques", "fr")
    _, plain = analyse("les mobilites electriques", "fr")
    assert accented == plain
    assert "mobilit" in accented
    assert "les" not in accented  # stopword


def test_recommends_cross_border_match_with_explanation():
    engine = world()
    got = engine.recommend("opp-req", target_kind="organisation", k=3)
    assert got[0].id == "be-lab"
    assert "fr-lab" not in [s.id for s in got]  # never the owner itself
    best = got[0]
    assert "shared themes: energy" in best.explanation
    assert "cross-border: FR → BE" in best.explanation
    assert {r.code for r in best.reasons} >= {"themes", "cross_border"}


def test_offer_complements_request():
    engine = world()
    got = engine.recommend("opp-req", target_kind="opportunity", k=5)
    assert [s.id for s in got] == ["opp-offer"]
    assert "request ↔ offer" in got[0].explanation


def test_worked_with_and_network_signals():
    engine = world()
    src = Document("opp-x", kind="opportunity", owner="be-lab", texts="Solar villages", themes=["energy"])
    got = engine.recommend(src, k=2)
    coop = next(s for s in got if s.id == "be-coop")
    assert "worked with Energy Storage Lab Namur before" in coop.explanation


def test_incremental_update_and_remove():
    engine = world()
    engine.upsert(
        Document(
            "nl-new",
            name="Opslag BV",
            country="NL",
            texts="Batterij opslag energie en lithium",
            themes=["energy"],
        )
    )
    assert "nl-new" in [s.id for s in engine.recommend("opp-req", k=4)]
    engine.upsert(
        Document("nl-new", name="Opslag BV", country="NL", texts="Kaas en toerisme", themes=["food"])
    )
    ranked = [s.id for s in engine.recommend("opp-req", k=4)]
    assert ranked.index("nl-new") > ranked.index("be-lab")
    assert engine.remove("nl-new") is True
    assert "nl-new" not in [s.id for s in engine.recommend("opp-req", k=10)]
    assert engine.remove("nl-new") is False


def test_incremental_equals_rebuild_after_compaction():
    engine = world()
    for i in range(30):
        engine.upsert(Document(f"x{i}", texts=f"storage batteries number {i}", country="NL"))
    for i in range(0, 30, 2):
        engine.remove(f"x{i}")
    engine.index.compact()
    fresh = MatchEngine()
    fresh.rebuild(engine.get(i) for i in list(engine.idx))
    a = [(s.id, round(s.score, 6)) for s in engine.recommend("opp-req", k=8)]
    b = [(s.id, round(s.score, 6)) for s in fresh.recommend("opp-req", k=8)]
    assert a == b


def test_dismissed_never_suggested_again_accepted_boosted():
    engine = world()
    engine.add_feedback("opp-req", "be-lab", accepted=False)
    assert "be-lab" not in [s.id for s in engine.recommend("opp-req", k=10)]
    engine.add_feedback("opp-req", "fr-cheese", accepted=True)
    cheese = next(s for s in engine.recommend("opp-req", k=10) if s.id == "fr-cheese")
    assert "accepted before" in cheese.explanation


def test_startup_investor_complementarity_by_stage():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document("vc-seed", org_type="investor", stages=["seed"], country="BE", texts="Seed fund"),
            Document("vc-late", org_type="investor", stages=["growth"], country="BE", texts="Growth fund"),
            Document("startup", org_type="startup", stages=["seed"], country="FR", texts="Deep tech startup"),
        ]
    )
    got = engine.recommend("startup", k=2)
    assert got[0].id == "vc-seed"
    assert "investor for your stage" in got[0].explanation


def test_bad_input_is_clear_or_harmless():
    with pytest.raises(ValueError, match="non-empty string id"):
        Document("")
    with pytest.raises(ValueError, match="unknown document kind"):
        Document("a", kind="event")
    with pytest.raises(ValueError, match="unknown intent"):
        Document("a", kind="opportunity", intent="maybe")
    with pytest.raises(ValueError, match="unknown feature weights: bogus"):
        MatchEngine({"bogus": 1.0})
    engine = world()
    with pytest.raises(KeyError, match="unknown document"):
        engine.recommend("nope")
    # Empty, enormous, unknown themes, unexpected language: sensible results, no error.
    assert engine.recommend(Document("empty", kind="opportunity", texts=""), k=3)
    huge = Document("huge", kind="opportunity", texts="batteries " * 50_000, themes=["no-such-theme"])
    assert len(huge.texts[0].text) == 20_000
    assert engine.recommend(huge, k=2)[0].id in {"be-lab", "fr-lab"}
    greek = Document("el", kind="opportunity", texts=Text("Αποθήκευση ενέργειας", "el"))
    assert len(engine.recommend(greek, k=2)) == 2


def _run_bench(folder: Path, out: Path) -> tuple[str, dict]:
    proc = subprocess.run(  # noqa: S603 (our own interpreter and script, fixture paths)
        [sys.executable, str(ROOT / "bench" / "partner_search.py"), "--data", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return proc.stdout, json.loads((out / "partner_search.json").read_text())


def test_benchmark_runs_end_to_end_on_fixture_leave_one_out(tmp_path):
    stdout, result = _run_bench(DATA / "tiny", tmp_path)
    assert "mode: leave-one-out; 5 queries" in stdout
    assert "BM25 baseline" in stdout and "engine (5-fold CV weights)" in stdout
    assert result["engine"]["queries"] == 5
    assert 0.0 <= result["engine"]["recall@10"] <= 1.0
    # With only 7 organisations every gold partner is within the top 10.
    assert result["engine"]["recall@10"] == 1.0


def test_benchmark_runs_on_explicit_query_set(tmp_path):
    stdout, result = _run_bench(DATA / "explicit", tmp_path)
    assert "mode: explicit queries; 2 queries" in stdout
    assert result["engine"]["queries"] == 2
    assert result["baseline_bm25"]["queries"] == 2


def test_feature_matrix_agrees_with_recommend_scores():
    import numpy as np

    from jumelage.matchmaking.engine import DEFAULT_WEIGHTS, FEATURES

    engine = world()
    ids, matrix = engine.feature_matrix("opp-req", target_kind="organisation")
    w = np.asarray([DEFAULT_WEIGHTS[f] for f in FEATURES])
    expected = dict(zip(ids, (matrix @ w).tolist(), strict=True))
    for s in engine.recommend("opp-req", target_kind="organisation", k=10):
        assert abs(s.score - expected[s.id]) < 1e-9


def test_organisation_gets_opportunities_of_its_groups_but_not_its_own():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document("a", name="Alpha", country="FR", groups=["cluster:mobility"], texts="Electric buses"),
            Document("b", name="Beta", country="BE", groups=["cluster:mobility"], texts="Charging stations"),
            Document("c", name="Gamma", country="BE", texts="Bakery"),
            Document("opp-a", kind="opportunity", owner="a", texts="Electric buses pilot"),
            Document("opp-b", kind="opportunity", owner="b", texts="Partner for charging pilots"),
            Document("opp-c", kind="opportunity", owner="c", texts="Bread ovens"),
        ]
    )
    got = engine.recommend("a", target_kind="opportunity", k=5)
    ids = [s.id for s in got]
    assert "opp-a" not in ids  # its own opportunity
    assert ids[0] == "opp-b"
    assert "also in cluster:mobility" in got[0].explanation


def test_name_alone_does_not_make_a_match():
    # "Nova" in the text names "Nova Robotics" by accident: nothing else links them, so the name
    # must not count; once the text also names its country, the name is corroborated and counts.
    docs = [
        Document("nova", name="Nova Robotics", country="PT", city="Braga"),
        Document("owner", name="Ferme Lumière", country="FR", city="Lille"),
        *(Document(f"filler-{i}", name=f"Filler {i}", country="DE", texts="Cheese") for i in range(5)),
    ]
    engine = MatchEngine()
    engine.rebuild(docs)
    alone = Document("q1", kind="opportunity", owner="owner", texts="A nova approach to rural tourism.")
    got = {s.id: s for s in engine.recommend(alone, k=10, weights={"name": 16.0})}
    assert "name" not in got["nova"].contributions
    assert got["nova"].score == 0.0
    backed = Document(
        "q2", kind="opportunity", owner="owner", texts="A nova approach to rural tourism in Portugal."
    )
    got = engine.recommend(backed, k=1)
    assert got[0].id == "nova"
    assert got[0].contributions["name"] > 0
    assert "country named in the text: PT" in got[0].explanation


def test_programme_of_compatriots_does_not_pull_suggestions_home():
    # The source's programme is mostly French: country_fit must not rank a French candidate above an
    # otherwise identical Belgian one; cross-border wins the tie.
    members = [
        Document(f"fr-{i}", name=f"Membre {i}", country="FR", groups=["programme:x"]) for i in range(8)
    ]
    members.append(Document("be-0", name="Lid nul", country="BE", groups=["programme:x"]))
    engine = MatchEngine()
    engine.rebuild(
        [
            *members,
            Document("owner", name="Porteur", country="FR", groups=["programme:x"]),
            Document("cand-fr", name="Candidat", country="FR", texts="Smart grids and storage"),
            Document("cand-be", name="Kandidaat", country="BE", texts="Smart grids and storage"),
        ]
    )
    src = Document(
        "opp", kind="opportunity", owner="owner", texts="Smart grids storage", groups=["programme:x"]
    )
    ids, matrix = engine.feature_matrix(src)
    row = {i: matrix[n] for n, i in enumerate(ids)}
    from jumelage.matchmaking.engine import FEATURES

    fit = FEATURES.index("country_fit")
    assert row["cand-fr"][fit] <= row["cand-be"][fit]
    ranked = [s.id for s in engine.recommend(src, k=20)]
    assert ranked.index("cand-be") < ranked.index("cand-fr")
    be = next(s for s in engine.recommend(src, k=20) if s.id == "cand-be")
    assert "cross-border: FR → BE" in be.explanation


def test_naming_only_the_owners_own_country_does_not_pull_home():
    engine = MatchEngine()
    engine.rebuild(
        [
            Document("owner", name="Porteur", country="FR"),
            Document("cand-fr", name="Candidat", country="FR", texts="Capteurs"),
            Document("cand-be", name="Kandidaat", country="BE", texts="Capteurs"),
        ]
    )
    home = Document("opp", kind="opportunity", owner="owner", texts="Une startup française: capteurs.")
    got = {s.id: s for s in engine.recommend(home, k=5)}
    assert "country_named" not in got["cand-fr"].contributions
    assert engine.recommend(home, k=5)[0].id == "cand-be"
    # Named next to a foreign country, the owner's own counts no more than that one.
    both = Document("opp2", kind="opportunity", owner="owner", texts="Capteurs en France et en Belgique.")
    got = {s.id: s for s in engine.recommend(both, k=5)}
    assert got["cand-fr"].contributions["country_named"] == got["cand-be"].contributions["country_named"]
