"""Language files: the same keys and placeholders in every language, and how they are read."""

from __future__ import annotations

import ast
import itertools
import re
import string
from importlib import resources
from pathlib import Path

import pytest

import facefilters
from facefilters import i18n
from facefilters.apps.lesson import STEPS
from facefilters.apps.lesson.steps import LESSON_ANCHORS, PANEL_STEPS
from facefilters.errors import FaceFiltersError
from facefilters.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Messages,
    load_language,
    parse_messages,
    system_language,
)

SRC = Path(facefilters.__file__).parent
PAIRS = list(itertools.permutations(LANGUAGES, 2))

# Values the f-string keys in src/ are filled with. A new f-string key makes
# test_every_key_used_in_src_exists fail until its values are listed here.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "lesson.{}.title": STEPS,
    "lesson.{}.text": STEPS,
    "lesson.{}.notes": STEPS,
    "lesson.{}.panel": PANEL_STEPS,
    "lesson.{}.points": PANEL_STEPS,
    "lesson.anchor.{}": LESSON_ANCHORS,
    # The help panel's rows, in live.py's order.
    "live.help.{}": (
        "next",
        "previous",
        "digits",
        "mesh",
        "snapshot",
        "record",
        "fullscreen",
        "help",
        "quit",
    ),
}

# What the program passes for each placeholder name.
SAMPLE_VALUES = {
    "least": 8,
    "eye_px": "6.5",
    "count": 3,
    "fps": 29.97,
    "score": 0.953,
    "value": 0.25,
    "n": 2,
    "total": 8,
    "name": "snap-001.png",
    "folder": "/tmp/pictures",
    "index": 1,
    "error": "camera 0 stopped",
    "path": "/tmp/pictures/rec.mp4",
    "reason": "no camera",
    "sample": "demo.mp4",
    "filter": "Dog",
    "frames": 180,
    "label": "NEP",
    "note": "not the real face",
    "names": "a.jpg, b.png",
    "blue": 34,
    "green": 52,
    "red": 120,
    "where": "swap/filter.toml: ",
    "warning": "skipped filter 'cat'",
    "signal": "SIGINT",
    "letter": "A",
    "word": "real",
    "advice": "choose a shorter name",
    "kind": "a device",
    "size": "20000 x 20000",
    "limit": 120,
    "device": "/dev/video2",
    # A broken filter folder: where, what was expected, what was found.
    "field": "layers[1].width",
    "problem": "expected a positive number",
    "got": "'wide'",
    "what": "a number",
    "bounds": "from 0 to 8",
    "most": 8,
    "low": "0,5",
    "high": 8,
    "on": "0,3",
    "x": "from 0 to 8",
    "y": "up to 8",
    "side": 64,
    "line": 3,
    "byte": "0xe9",
    "detail": "Expected ']' at the end of a table declaration (at line 1, column 9)",
    "example": 'measure = "mouth_open", above = 0.3',  # braces would look unfilled
}


def placeholders(text: str) -> set[str]:
    """Every ``{field:spec}`` in a message, as written."""
    return {
        f"{{{field}{':' + spec if spec else ''}}}"
        for _, field, spec, _ in string.Formatter().parse(text)
        if field is not None
    }


def _message_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id in ("m", "messages")) or (
            isinstance(func, ast.Attribute) and func.attr == "messages"
        ):
            yield node.args[0]


def keys_used_in_src() -> tuple[set[str], set[str]]:
    """Message keys the code asks for: plain keys, and f-string keys as ``{}`` patterns.

    Covers ``messages("...")``, ``m("...")``, ``self.messages(...)``, ``ctx.messages(...)``,
    including both branches of ``messages("a" if x else "b")``.
    """
    plain: set[str] = set()
    patterns: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        for arg in _message_calls(ast.parse(path.read_text(encoding="utf-8"))):
            in_fstrings = set()
            for node in ast.walk(arg):
                if isinstance(node, ast.JoinedStr):
                    in_fstrings |= {id(part) for part in node.values}
                    patterns.add(
                        "".join(
                            part.value if isinstance(part, ast.Constant) else "{}"
                            for part in node.values
                        )
                    )
            plain |= {
                node.value
                for node in ast.walk(arg)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstrings
            }
    return plain, patterns


# -- the built-in language files ---------------------------------------------------------


def test_languages_match_the_locale_files() -> None:
    files = {p.stem for p in Path(str(resources.files("facefilters") / "locales")).glob("*.txt")}
    assert files == set(LANGUAGES)
    assert DEFAULT_LANGUAGE in LANGUAGES


@pytest.mark.parametrize(("have", "other"), PAIRS)
def test_every_key_exists_in_every_language(have: str, other: str) -> None:
    missing = sorted(set(load_language(have)) - set(load_language(other)))
    assert not missing, f"keys in {have}.txt missing from {other}.txt: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_step_has_a_title_text_and_notes(lang: str) -> None:
    messages = load_language(lang)
    wanted = [f"lesson.{name}.{part}" for name in STEPS for part in ("title", "text", "notes")]
    missing = [key for key in wanted if key not in messages]
    assert not missing, f"{lang}.txt lacks {missing}"
    empty = [key for key in wanted if not messages[key].strip()]
    assert not empty, f"{lang}.txt has empty {empty}"


def test_the_src_scan_finds_message_keys() -> None:
    # Guards the scan itself: if it found nothing, the next test would pass vacuously.
    plain, patterns = keys_used_in_src()
    assert {"lesson.box.label", "lesson.keys", "live.fps", "live.mesh_on", "live.mesh_off"} <= plain
    assert {"lesson.{}.title", "live.help.{}", "lesson.anchor.{}"} <= patterns


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_src_exists(lang: str) -> None:
    plain, patterns = keys_used_in_src()
    unknown = sorted(patterns - set(EXPANSIONS))
    assert not unknown, f"f-string message keys with no known values: {unknown}"
    wanted = set(plain)
    for pattern in patterns:
        wanted |= {pattern.replace("{}", value) for value in EXPANSIONS[pattern]}
    missing = sorted(wanted - set(load_language(lang)))
    assert not missing, f"keys used in src/ missing from {lang}.txt: {missing}"


@pytest.mark.parametrize(("have", "other"), PAIRS)
def test_placeholders_match_across_languages(have: str, other: str) -> None:
    a, b = load_language(have), load_language(other)
    differ = {
        key: (placeholders(a[key]), placeholders(b[key]))
        for key in sorted(set(a) & set(b))
        if placeholders(a[key]) != placeholders(b[key])
    }
    assert not differ, f"placeholders differ between {have} and {other}: {differ}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_formats_with_the_programs_values(lang: str) -> None:
    for key, text in load_language(lang).items():
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        assert names <= set(SAMPLE_VALUES), f"{lang}: {key} uses unknown {names}"
        assert "{" not in text.format(**SAMPLE_VALUES), f"{lang}: {key}"


def test_placeholder_helper_keeps_format_specs() -> None:
    assert placeholders("{fps:.0f} fps, {count} faces, {score:.0%}") == {
        "{fps:.0f}",
        "{count}",
        "{score:.0%}",
    }
    assert placeholders("no fields") == set()


# -- parse_messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("just words without an equals sign", 1),
        ("= a text with no key", 1),
        ("   =   ", 1),
        ("a key = with a space", 1),
        ("# comment\n\nok = fine\nbroken line", 4),
        ("ok = fine\n  \t\n# note\nlesson.1 title = spaced key", 4),
    ],
)
def test_parse_messages_rejects_bad_lines(text: str, line: int) -> None:
    with pytest.raises(FaceFiltersError, match=rf"^teacher\.txt:{line}: expected 'key = text'"):
        parse_messages(text, "teacher.txt")


def test_parse_messages_reads_keys_comments_and_newlines() -> None:
    text = (
        "# a comment = not a message\n"
        "\n"
        "   \t\n"
        "  # an indented comment\n"
        "greeting =   Hallo wereld  \n"
        "two.lines = first\\nsecond\n"
        "equation = a = b\n"
        "accents = één café\n"
    )
    assert parse_messages(text, "x.txt") == {
        "greeting": "Hallo wereld",
        "two.lines": "first\nsecond",
        "equation": "a = b",
        "accents": "één café",
    }


def test_parse_messages_of_nothing_is_empty() -> None:
    assert parse_messages("", "x.txt") == {}
    assert parse_messages("# only\n\n# comments\n", "x.txt") == {}


def test_multi_line_texts_come_out_as_lines() -> None:
    for lang in LANGUAGES:
        items = load_language(lang)["lesson.dangers.points"].split("\n")
        assert len(items) == 3 and all(item.strip() for item in items)
        assert "\\n" not in load_language(lang)["lesson.checking.points"]


# -- system_language ---------------------------------------------------------------------

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LC_ALL": "nl_NL"}, "nl"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANGUAGE": "nl:en"}, "nl"),
        ({"LANG": "NL_nl.utf8"}, "nl"),
        # GNU gettext's precedence: LANGUAGE, LC_ALL, LC_MESSAGES, then LANG.
        ({"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "nl_NL", "LANG": "nl_NL"}, "en"),
        ({"LC_MESSAGES": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "nl:en"}, "nl"),
        ({"LANGUAGE": "en", "LC_ALL": "nl_NL.UTF-8"}, "en"),
        # The first set variable decides, even for a language we do not have.
        ({"LC_ALL": "de_DE.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        # An empty variable counts as unset.
        ({"LC_ALL": "", "LANG": "nl_NL.UTF-8"}, "nl"),
    ],
)
def test_system_language(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert system_language() == expected


@pytest.mark.parametrize(
    ("getlocale", "expected"),
    [
        (("nl_NL", "UTF-8"), "nl"),
        (("en_US", "UTF-8"), "en"),
        (("fr_BE", "UTF-8"), "fr"),
        (("de_DE", "UTF-8"), "en"),
        ((None, None), "en"),
    ],
)
def test_system_language_without_variables_asks_the_locale(
    monkeypatch: pytest.MonkeyPatch, getlocale: tuple, expected: str
) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: getlocale)
    assert system_language() == expected


# -- Messages ----------------------------------------------------------------------------


def test_messages_in_each_language() -> None:
    assert Messages("en")("lesson.title") == "How face filters work"
    assert Messages("nl")("lesson.title") == "Hoe gezichtsfilters werken"
    assert Messages("nl")("lesson.step", n=3, total=8) == "3 / 8"
    assert Messages("en")("lesson.box.label", score="95") == "face 95%"
    assert Messages("fr")("lesson.title") == "Comment marchent les filtres de visage"
    assert Messages("nl")("live.fps", fps=29.97) == "30 beelden/s"


@pytest.mark.parametrize(("lang", "expected"), [("en", "0.25"), ("nl", "0,25"), ("fr", "0,25")])
def test_numbers_use_the_languages_decimal_sign(lang: str, expected: str) -> None:
    messages = Messages(lang)
    assert messages.number(0.249) == expected
    assert messages("lesson.mouth", value=messages.number(0.249)).endswith(expected)
    assert messages.number(94.4, 0) == "94"


def test_dutch_says_what_a_flemish_teacher_would() -> None:
    nl = load_language("nl")
    for key, text in nl.items():
        assert "filter nummer" not in text, key
        assert "in de foto" not in text, key
        # Recognising who someone is, which nothing here does; only the detector's notes
        # name it, to say that it is not that.
        if key != "lesson.detector.notes":
            assert "gezichtsherkenning" not in text.lower(), key
    assert "filternummer" in nl["live.help.digits"]


def test_a_language_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shipped languages are the files in locales/, nothing else lists them.
    assert set(LANGUAGES) >= {"en", "nl", "fr"}
    assert i18n._shipped_languages() == LANGUAGES


def test_messages_follow_the_system_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    assert Messages().lang == "nl"
    assert Messages("en").lang == "en"  # an explicit choice wins


def test_a_key_missing_from_a_language_falls_back_to_english() -> None:
    messages = Messages("nl")
    messages._own = {k: v for k, v in messages._own.items() if k != "lesson.swap.title"}
    assert messages("lesson.swap.title") == load_language("en")["lesson.swap.title"]
    assert messages("lesson.crying.title") == "De huilfilter"
    # The cached language itself is untouched.
    assert "lesson.swap.title" in load_language("nl")


def test_fallback_fills_in_values_too() -> None:
    messages = Messages("nl")
    messages._own = {}
    assert messages("lesson.points", count=478) == "478 points"


def test_a_key_missing_everywhere_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no.such.key"):
        Messages("nl")("no.such.key")


@pytest.mark.parametrize("lang", ["de", "EN", "nl_NL", ""])
def test_unknown_language(lang: str) -> None:
    with pytest.raises(FaceFiltersError, match=re.escape(f"unknown language '{lang}'")):
        load_language(lang)
    if lang:  # Messages("") means "the system's language"
        with pytest.raises(FaceFiltersError, match="available: en, fr, nl"):
            Messages(lang)


def test_every_error_key_raised_in_src_exists_in_every_language() -> None:
    # SourceError("English text", "error.key", ...) is said again in the window's
    # language; the key must be there, with the same placeholders as the English text.
    src = Path(facefilters.__file__).parent
    keys = set()
    for path in src.rglob("*.py"):
        keys |= set(re.findall(r'"(error\.[\w.]+)"', path.read_text(encoding="utf-8")))
    assert {"error.no_camera", "error.no_display", "error.camera_stopped"} <= keys
    for lang in LANGUAGES:
        missing = keys - set(load_language(lang))
        assert not missing, f"{lang}.txt lacks {sorted(missing)}"


# -- filter names and the mesh's words ---------------------------------------------------


def test_every_built_in_filter_is_named_in_every_language() -> None:
    from facefilters.catalog import Catalog
    from facefilters.render.mesh import MESH_WORDS

    catalog = Catalog()
    for lang in LANGUAGES:
        words = load_language(lang)
        for filter_id in catalog.ids():
            for part in ("name", "description"):
                assert words.get(f"filter.{filter_id}.{part}", "").strip(), (lang, filter_id)
        for key in MESH_WORDS:
            assert words.get(f"mesh.{key}", "").strip(), (lang, key)
    # The English names are the filter.toml ones: one place to change them, checked here.
    english = load_language("en")
    for filter_id in catalog.ids():
        info = catalog.info(filter_id)
        assert english[f"filter.{filter_id}.name"] == info.name, filter_id
        assert english[f"filter.{filter_id}.description"] == info.description, filter_id


@pytest.mark.parametrize(
    ("lang", "name", "word"),
    [
        ("nl", "Gezichtsnet", "linkeroog"),
        ("fr", "Maillage", "œil gauche"),
        ("en", "Mesh", "left eye"),
    ],
)
def test_a_filter_in_the_users_language(lang: str, name: str, word: str) -> None:
    from facefilters.apps.prepare import in_language
    from facefilters.catalog import Catalog

    mesh = in_language(Catalog().load("mesh"), Messages(lang))
    assert mesh.name == name
    assert dict(mesh.layers[0].effect.words)["left_eye"] == word
    # A filter the language files do not know keeps its own name.
    plain = Catalog().load("dog")
    from dataclasses import replace

    custom = in_language(replace(plain, id="my-own-dog", name="Rex"), Messages(lang))
    assert custom.name == "Rex"
