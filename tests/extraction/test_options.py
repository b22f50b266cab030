"""The extraction library reads no environment: everything comes in one `ExtractOptions`.

Two proofs: the source (no module under extraction/ but the CLI looks a variable up), and the
behaviour (a variable that used to change `extract()` no longer does; the option does). Plus
how the CLI and the service turn the documented variables into options, which must agree.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extraction import ExtractOptions, extract
from extraction.cli import ENV_OPTIONS, OptionsError, options_from_env
from extraction.errors import InputTooLargeError, UnsupportedFormatError
from tests import factories
from tests.support import REPO

# The CLI module builds options from the environment; the sandbox hands its environment down to
# the tools it starts (inheritance, not configuration: `child_env`).
ALLOWED = {"extraction/cli.py": None, "extraction/sandbox.py": "child_env"}


def _environment_uses(path: Path) -> list[tuple[int, str | None]]:
    """(line, enclosing function) of every use of `os.environ`, `environ`, `getenv` or `putenv`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.alias):
            name = node.name
        if name in ("environ", "getenv", "putenv", "environb", "unsetenv"):
            found.append((getattr(node, "lineno", 0), function))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_no_module_of_the_library_reads_the_environment():
    offenders = []
    for path in sorted((REPO / "extraction").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        for line, function in _environment_uses(path):
            if rel in ALLOWED and ALLOWED[rel] in (None, function):
                continue
            offenders.append(f"{rel}:{line} (in {function or 'module'})")
    assert not offenders, "the library must take ExtractOptions, not read the environment: " + ", ".join(
        offenders
    )


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The source test above can fail: each way of reading a variable is found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom os import environ, getenv\n"
        "def a():\n    return os.environ.get('X')\n"
        "def b():\n    return os.getenv('Y')\n"
        "def c():\n    return environ['Z']\n"
    )
    functions = {f for _, f in _environment_uses(sample)}
    assert {"a", "b", "c"} <= functions
    assert len(_environment_uses(sample)) >= 5


@pytest.fixture
def big_pdf(tmp_path: Path) -> Path:
    p = tmp_path / "big.pdf"
    p.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))  # 2 MB of not-a-PDF
    return p


def test_max_file_mb_in_the_environment_changes_nothing(big_pdf: Path, monkeypatch: pytest.MonkeyPatch):
    """MAX_FILE_MB used to be read deep in the backends. Now only the option counts: with the
    variable at 1 the 2 MB file is still let through to the PDF reader (which finds it damaged),
    and with the option at 1 it is refused for its size."""
    from extraction.errors import CorruptFileError

    monkeypatch.setenv("MAX_FILE_MB", "1")
    with pytest.raises(CorruptFileError):
        extract(big_pdf)
    with pytest.raises(InputTooLargeError, match=r"the limit is 1 MB \(MAX_FILE_MB\)"):
        extract(big_pdf, ExtractOptions(max_file_mb=1))


def test_soffice_path_in_the_environment_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Same for SOFFICE_PATH: the lookup takes the option, never the variable."""
    from extraction.backends import office

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SOFFICE_PATH", str(fake))
    assert office.soffice_binary() != str(fake)
    assert office.soffice_binary(str(fake)) == str(fake)
    docx = factories.docx(tmp_path / "poster.docx")
    with pytest.raises(UnsupportedFormatError, match="LibreOffice, which is not installed"):
        extract(docx, ExtractOptions(soffice_path="/nonexistent/soffice"))


def test_llm_variables_in_the_environment_change_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from extraction import llm

    monkeypatch.setenv("JSON_MODEL_PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("EXTRACTION_ENGINE", "hybrid")
    options = ExtractOptions(model_id="posterx-tests/no-such-model")
    assert llm.status(options)["json_model"] == "not configured"
    assert llm.status(options.replace(model_path=str(tmp_path / "nowhere")))["json_model"].startswith(
        "error: JSON_MODEL_PATH"
    )


def test_options_are_frozen_checked_and_normalised():
    options = ExtractOptions()
    with pytest.raises(AttributeError):
        options.engine = "hybrid"  # type: ignore[misc]
    assert options.replace(engine="hybrid").engine == "hybrid" and options.engine == "layout"
    assert ExtractOptions(model_id="").model_id == ExtractOptions().model_id  # empty means the default
    assert ExtractOptions(model_quant=" 4BIT ").model_quant == "4bit"
    for bad, message in (
        ({"engine": "gpt"}, "unknown engine 'gpt'"),
        ({"max_file_mb": 0}, "max_file_mb must be a number above 0"),
        ({"llm_max_new_tokens": -1}, "llm_max_new_tokens"),
        ({"llm_timeout_seconds": "fast"}, "llm_timeout_seconds"),
        ({"llm_constrained": "no"}, "llm_constrained must be true or false"),
        ({"model_path": None}, "model_path must be a string"),
    ):
        with pytest.raises(ValueError, match=message):
            ExtractOptions(**bad)
    with pytest.raises(TypeError, match="ExtractOptions"):
        extract(Path("x.pdf"), "hybrid")  # type: ignore[arg-type]


def test_cli_reads_the_documented_variables_into_options():
    env = {
        "MAX_FILE_MB": "7.5",
        "PDFALTO_PATH": "/opt/pdfalto",
        "SOFFICE_PATH": " /usr/bin/soffice ",
        "JSON_MODEL_ID": "org/model",
        "JSON_MODEL_PATH": "/models/m.gguf",
        "JSON_MODEL_GGUF_FILE": "m.Q4.gguf",
        "JSON_MODEL_QUANT": "4BIT",
        "LLM_CONSTRAINED": "off",
        "LLM_MAX_NEW_TOKENS": "64",
        "LLM_TIMEOUT_SECONDS": "9.5",
        "LLM_PROMPT_CHARS": "1000",
        "EXTRACTION_ENGINE": "hybrid",  # the service's; the commands take --engine
    }
    assert options_from_env(env) == ExtractOptions(
        max_file_mb=7.5,
        pdfalto_path="/opt/pdfalto",
        soffice_path="/usr/bin/soffice",
        model_id="org/model",
        model_path="/models/m.gguf",
        model_gguf_file="m.Q4.gguf",
        model_quant="4bit",
        llm_constrained=False,
        llm_max_new_tokens=64,
        llm_timeout_seconds=9.5,
        llm_prompt_chars=1000,
    )
    assert options_from_env({}) == ExtractOptions()
    assert options_from_env({"JSON_MODEL_PATH": "/env"}, model_path="/flag").model_path == "/flag"
    with pytest.raises(OptionsError, match="LLM_MAX_NEW_TOKENS must be a number, got 'many'"):
        options_from_env({"LLM_MAX_NEW_TOKENS": "many"})
    with pytest.raises(OptionsError, match="MAX_FILE_MB must be a number above 0"):
        options_from_env({"MAX_FILE_MB": "-1"})


def test_a_malformed_variable_stops_the_command_with_its_name(tmp_path: Path):
    cli = Path(sys.executable).with_name("posterx")
    pdf = factories.poster_pdf(tmp_path / "p.pdf")
    env = {**os.environ, "LLM_TIMEOUT_SECONDS": "soon"}
    run = subprocess.run([str(cli), "extract", str(pdf), "-o", "-"], capture_output=True, text=True, env=env,
                         timeout=120)  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip() == "posterx extract: LLM_TIMEOUT_SECONDS must be a number, got 'soon'"


def test_cli_still_honours_max_file_mb(big_pdf: Path):
    """Compatibility: the command line reads MAX_FILE_MB as before, in its own layer."""
    cli = Path(sys.executable).with_name("posterx")
    env = {**os.environ, "MAX_FILE_MB": "1"}
    run = subprocess.run([str(cli), "extract", str(big_pdf), "-o", "-"], capture_output=True, text=True, env=env,
                         timeout=120)  # fmt: skip
    assert run.returncode == 1
    assert "the limit is 1 MB (MAX_FILE_MB)" in run.stderr


def test_service_settings_and_cli_agree_on_every_variable():
    """The service builds its options from `Settings`, the CLI from the environment: the same
    variables must mean the same options (the engine aside: the commands take --engine)."""
    from app.settings import load

    required = {"DATABASE_URL": "postgresql://u:p@h/db", "BUNNY_STORAGE_ZONE": "z", "BUNNY_ACCESS_KEY": "k"}
    samples = [
        {},
        {
            "MAX_FILE_MB": "12",
            "PDFALTO_PATH": "/opt/pdfalto",
            "SOFFICE_PATH": "/nonexistent/soffice",
            "JSON_MODEL_ID": "org/model",
            "JSON_MODEL_PATH": "/models/m.gguf",
            "JSON_MODEL_GGUF_FILE": "m.Q4.gguf",
            "JSON_MODEL_QUANT": "4bit",
            "LLM_CONSTRAINED": "0",
            "LLM_MAX_NEW_TOKENS": "64",
            "LLM_TIMEOUT_SECONDS": "30",
            "LLM_PROMPT_CHARS": "900",
        },
    ]
    assert set(samples[1]) == set(ENV_OPTIONS)  # every variable the CLI reads is compared
    for env in samples:
        service = load({**required, **env, "EXTRACTION_ENGINE": "layout"}).extract_options()
        assert service == options_from_env(env), env


def test_service_settings_refuse_a_bad_extraction_value_at_start():
    from app.settings import ConfigError, load

    required = {"DATABASE_URL": "postgresql://u:p@h/db", "BUNNY_STORAGE_ZONE": "z", "BUNNY_ACCESS_KEY": "k"}
    with pytest.raises(ConfigError, match="setting LLM_MAX_NEW_TOKENS must be a number"):
        load({**required, "LLM_MAX_NEW_TOKENS": "lots"})
    with pytest.raises(ConfigError, match="setting MAX_FILE_MB must be positive"):
        load({**required, "MAX_FILE_MB": "0"})
