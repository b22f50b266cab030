"""LLM enrichment on CPU with a tiny random Llama built on the spot: no download, no GPU.

Unconstrained, the random model writes garbage, which is exactly what exercises the real
load → generate → parse → fall back path. Constrained, the same random weights can only write
JSON of the answer schema, which is what proves the mask rather than the model does the work.
The parse/repair/merge rules are tested on fixed model outputs. The real instruct model
(SmolLM2, GGUF) runs in `test_llm_real.py`.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extraction import ExtractOptions, api, llm
from extraction.llm import answer, generate, loader, merge, parse, prompt
from extraction.model import Block, Line, Page, Word
from tests.factories import PosterSpec, poster_pdf

MISSING_ID = "posterx-tests/no-such-model"
# Never the real model id: the host's Hugging Face cache must not matter.
BASE = ExtractOptions(model_id=MISSING_ID)
GOOD = (
    '{"subjects": ["coral reefs", "graph matching", "reef monitoring", "ecology"], '
    '"description": "The poster presents a graph matching method that tracks coral reef recovery across surveys.", '
    '"researchField": "Life Sciences", "creators_check": "ok"}'
)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, hidden-32 Llama with a byte-level BPE tokenizer trained on a few lines."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = tmp_path_factory.mktemp("tiny-llama")
    lines = [
        GOOD,
        "Graph Methods for Tracking Coral Reef Recovery",
        "Survey photographs are aligned to a grid.",
    ]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(lines * 5, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>"
    )
    fast.save_pretrained(out)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id,
    )  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(out)
    return out


@pytest.fixture(autouse=True)
def fresh_loader():
    loader.reset()
    yield
    loader.reset()


@pytest.fixture
def use_tiny(tiny_model: Path) -> ExtractOptions:
    """Options naming the tiny model, with a 48-token cap."""
    return BASE.replace(model_path=str(tiny_model), llm_max_new_tokens=48)


@pytest.fixture
def garbage(use_tiny: ExtractOptions) -> ExtractOptions:
    """The tiny model without the schema mask: it writes garbage."""
    return use_tiny.replace(llm_constrained=False)


@pytest.fixture(scope="session")
def constrained_answer(tiny_model: Path) -> generate.Output:
    """One complete constrained answer of the random model (its tokens are ~1 character: 700 fit)."""
    options = BASE.replace(model_path=str(tiny_model), llm_max_new_tokens=700)
    loader.reset()
    try:
        return generate.run(loader.get(options), layout_doc(abstract=False), options)
    finally:
        loader.reset()


@pytest.fixture(scope="session")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return poster_pdf(tmp_path_factory.mktemp("poster") / "poster.pdf", PosterSpec())


def page_of(*texts: str) -> Page:
    lines = [Line(words=[Word(t, 0, i * 10, 10, 10) for t in text.split()]) for i, text in enumerate(texts)]
    return Page(width=100, height=100, blocks=[Block(lines=lines)])


def layout_doc(abstract: bool = True) -> dict:
    doc = {
        "titles": [{"title": "Graph Methods for Tracking Coral Reef Recovery"}],
        "creators": [{"name": "Lopez, Maria", "affiliation": [{"name": "University of Testing"}]}],
        "content": {
            "sections": [{"sectionTitle": "Methods", "sectionContent": "Colonies are matched. " * 50}]
        },
        "subjects": [{"subject": "yake phrase"}],
    }
    if abstract:
        doc["descriptions"] = [{"description": "We describe a method.", "descriptionType": "Abstract"}]
    return doc


# --- import cost ---------------------------------------------------------------------------------


def test_import_does_not_load_torch():
    code = "import sys, extraction.api, extraction.llm; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- parse and repair ----------------------------------------------------------------------------


def test_parse_valid():
    fields = parse.parse(GOOD)
    assert fields["subjects"] == ["coral reefs", "graph matching", "reef monitoring", "ecology"]
    assert fields["researchField"] == "Life Sciences"
    assert fields["description"].startswith("The poster presents")
    assert fields["creators_check"] == "ok"


@pytest.mark.parametrize(
    "cut",
    [
        '{"subjects": ["coral reefs", "graph matching", "reef monitoring", "eco',  # inside a list string
        '{"subjects": ["coral reefs", "graph matching", "reef monitoring"], "researchField": "Life Sciences", "desc',
        '{"subjects": ["coral reefs", "graph matching", "reef monitoring"], "researchField": "Life Sciences", '
        '"description":',  # dangling key
        '{"subjects": ["coral reefs", "graph matching", "reef monitoring"], "researchField": "Life Sciences", '
        '"description": "The poster presents a graph matching method that tracks coral reef recovery across \\',
    ],
)
def test_parse_truncated(cut: str):
    fields = parse.parse(cut)
    assert fields["subjects"][:3] == ["coral reefs", "graph matching", "reef monitoring"]


def test_parse_truncated_keeps_partial_description():
    text = GOOD[: GOOD.index("across")]
    fields = parse.parse(text)
    assert fields["description"].endswith("coral reef recovery")
    assert "researchField" not in fields


def test_parse_trailing_commas():
    text = '{"subjects": ["a b", "c d", "e f",], "researchField": "Physical Sciences",}'
    assert parse.parse(text) == {"subjects": ["a b", "c d", "e f"], "researchField": "Physical Sciences"}


def test_trailing_comma_inside_string_is_kept():
    assert parse.loads_lenient('{"x": "a ,}", "y": [1,],}') == {"x": "a ,}", "y": [1]}


def test_parse_prose_and_code_fence():
    text = (
        f"Sure! Here is the JSON you asked for:\n```json\n{GOOD}\n```\nLet me know if you need more {{help}}."
    )
    assert parse.parse(text) == parse.parse(GOOD)


def test_braces_and_escapes_inside_strings():
    text = '{"description": "Uses {x} and \\"quoted }\\" text in a short poster summary here.", "k": 1} trailing {'
    assert parse.loads_lenient(text)["description"].startswith("Uses {x}")


@pytest.mark.parametrize("text", ["", "   ", "no json here", "[1, 2, 3]", "{", '{"subjects": 3}', "{{{{"])
def test_parse_empty_or_useless(text: str):
    assert parse.parse(text) == {}


def test_validate_shape():
    fields = parse.validate(
        {
            "subjects": [{"subject": "Alpha"}, "alpha", "Beta", "", "Gamma", "Delta", "Epsilon", "Zeta"],
            "description": "too short",
            "researchField": "physical",
            "creators_check": {"note": "affiliation 2 may belong to Smith"},
        }
    )
    assert fields["subjects"] == ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]
    assert "description" not in fields
    assert fields["researchField"] == "Physical Sciences"
    assert "Smith" in fields["creators_check"]
    assert parse.validate({"subjects": ["one", "two"], "researchField": "Other"}) == {}


# --- merge ---------------------------------------------------------------------------------------


def test_merge_replaces_yake_subjects_adds_summary_and_field():
    doc = layout_doc(abstract=False)
    before = copy.deepcopy(doc)
    merged, filled = merge.merge(doc, parse.parse(GOOD), keywords_printed=False)
    assert doc == before  # the input is never mutated
    assert [s["subject"] for s in merged["subjects"]][0] == "coral reefs"
    assert merged["descriptions"] == [
        {"description": parse.parse(GOOD)["description"], "descriptionType": "Other"}
    ]
    assert merged["researchField"] == "Life Sciences"
    assert set(filled) == {"subjects", "descriptions", "researchField"}
    for key in ("titles", "creators", "content"):
        assert merged[key] == doc[key]


def test_merge_never_overrides_printed_fields():
    doc = layout_doc(abstract=True)
    doc["researchField"] = "Health Sciences"
    merged, filled = merge.merge(doc, parse.parse(GOOD), keywords_printed=True)
    assert filled == []
    assert merged == doc


def test_printed_keywords_detected_from_page():
    assert merge.printed_keywords(page_of("Title", "Keywords: coral, reefs"))
    assert not merge.printed_keywords(page_of("Title", "Body text without a keyword line"))


# --- prompt --------------------------------------------------------------------------------------


def test_prompt_has_title_sections_and_capped_text():
    context = prompt.poster_context(layout_doc(), 300)
    assert "Title: Graph Methods" in context
    assert "Sections: Methods" in context
    assert "Lopez, Maria (University of Testing)" in context
    assert len(context.split("Text:\n", 1)[1]) <= 300


# --- status, engine selection --------------------------------------------------------------------


def test_status_not_configured():
    assert llm.status(BASE) == {"cuda": "unavailable", "gpu": "none", "json_model": "not configured"}
    assert not llm.gpu_ready(BASE)


def test_status_bad_path(tmp_path: Path):
    assert llm.status(BASE.replace(model_path=str(tmp_path / "nowhere")))["json_model"].startswith(
        "error: JSON_MODEL_PATH"
    )


def test_status_configured_then_ok(use_tiny: ExtractOptions):
    assert llm.status(use_tiny)["json_model"] == "configured (not loaded, safetensors)"
    llm.warm_up(use_tiny.replace(engine="auto"))  # auto without a GPU: nothing is loaded
    llm.warm_up(use_tiny.replace(engine="layout"))
    assert llm.status(use_tiny)["json_model"] == "configured (not loaded, safetensors)"
    llm.warm_up(use_tiny.replace(engine="hybrid"))
    assert llm.status(use_tiny)["json_model"] == "ok (safetensors, float32)"
    # Another model named by the options is another model: not the one loaded.
    assert llm.status(BASE)["json_model"] == "not configured"


def test_auto_is_layout_without_cuda(use_tiny: ExtractOptions, monkeypatch: pytest.MonkeyPatch):
    auto = use_tiny.replace(engine="auto")
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    assert api.resolve_engine(auto) == "layout"
    monkeypatch.setattr(loader, "cuda_available", lambda: True)
    assert api.resolve_engine(auto) == "hybrid"  # model resolvable and (pretend) GPU: no load needed
    assert loader.state(auto) == (None, None)


def test_auto_is_layout_without_model(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loader, "cuda_available", lambda: True)
    assert api.resolve_engine(BASE.replace(engine="auto")) == "layout"


def test_broken_weights_reported_and_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    options = BASE.replace(model_path=str(tmp_path))
    doc, info = llm.enrich(layout_doc(), page_of("x"), options)
    assert doc == layout_doc() and info["llm_used"] is False
    assert "unavailable" in info["warnings"][0]
    assert llm.status(options)["json_model"].startswith("error: ")
    calls = []
    monkeypatch.setattr(loader, "_load", lambda *a: calls.append(a))
    llm.enrich(layout_doc(), page_of("x"), options)
    assert calls == []


# --- the real path on the tiny model -------------------------------------------------------------


def test_real_generation_falls_back_on_garbage(garbage: ExtractOptions):
    doc = layout_doc(abstract=False)
    out, info = llm.enrich(doc, page_of("x"), garbage)
    assert out == doc
    assert info["engine"] == "hybrid" and info["model"] == garbage.model_path
    assert info["llm_used"] is False and info["constrained"] is False
    assert info["llm_json"] == "unusable" and info["model_format"] == "safetensors"
    assert 0 < info["new_tokens"] <= 48
    assert any("layout result kept" in w for w in info["warnings"])
    bench = llm.benchmark_info(garbage)
    assert bench["load_seconds"] > 0 and bench["tokens_per_second"] > 0 and bench["device"] == "cpu"


def test_real_generation_with_fixed_answer_is_merged(
    use_tiny: ExtractOptions, monkeypatch: pytest.MonkeyPatch
):
    truncated = GOOD[: GOOD.index('"creators_check"') + 5]
    monkeypatch.setattr(
        generate, "run", lambda runtime, doc, options: generate.Output(truncated, 30, 0.1, False)
    )
    out, info = llm.enrich(layout_doc(abstract=False), page_of("x"), use_tiny)
    assert info["llm_used"] is True and info["warnings"] == []
    assert set(info["llm_fields"]) == {"subjects", "descriptions", "researchField"}
    assert out["researchField"] == "Life Sciences"


def test_generation_error_falls_back(use_tiny: ExtractOptions, monkeypatch: pytest.MonkeyPatch):
    def boom(runtime, doc, options):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(generate, "run", boom)
    out, info = llm.enrich(layout_doc(), page_of("x"), use_tiny)
    assert out == layout_doc() and info["llm_used"] is False
    assert "CUDA out of memory" in info["warnings"][0]


def test_timeout_stops_generation(garbage: ExtractOptions):
    options = garbage.replace(llm_timeout_seconds=0.000001, llm_max_new_tokens=400)
    _, info = llm.enrich(layout_doc(), page_of("x"), options)
    assert info["new_tokens"] < 400
    assert any("time limit" in w for w in info["warnings"])


def test_stopping_criterion_ends_at_balanced_brace(use_tiny: ExtractOptions):
    import torch

    runtime = loader.get(use_tiny)
    tok = runtime.tokenizer
    ids = tok('"a": "}", "b": [1]} more', return_tensors="pt", add_special_tokens=False)["input_ids"]
    stop = generate._stopper(tok, 0)
    decoded = ""
    for n in range(1, ids.shape[1] + 1):
        done = bool(stop(ids[:, :n], None)[0])
        decoded = tok.decode(ids[0, :n])
        if done:
            break
    assert done and decoded.rstrip().endswith("]}")
    assert isinstance(stop(ids, None), torch.Tensor)


# --- extract() end to end ------------------------------------------------------------------------


def test_extract_hybrid_with_tiny_model(garbage: ExtractOptions, pdf: Path):
    doc = api.extract(pdf, garbage.replace(engine="hybrid"))
    meta = doc["_extraction"]
    assert meta["engine"] == "hybrid" and meta["llm_used"] is False
    assert meta["new_tokens"] > 0 and "llm_seconds" in meta
    assert any("layout result kept" in w for w in meta["warnings"])
    assert doc["titles"][0]["title"] == PosterSpec().title


def test_extract_hybrid_without_model_falls_back(pdf: Path):
    layout = api.extract(pdf, BASE)
    doc = api.extract(pdf, BASE.replace(engine="hybrid"))
    assert doc["_extraction"]["engine"] == "hybrid" and doc["_extraction"]["llm_used"] is False
    assert any("JSON model is unavailable" in w for w in doc["_extraction"]["warnings"])
    strip = {k: v for k, v in doc.items() if k != "_extraction"}
    assert strip == {k: v for k, v in layout.items() if k != "_extraction"}


def test_extract_hybrid_merges_valid_answer(
    use_tiny: ExtractOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    spec = PosterSpec(keywords="", sections=PosterSpec().sections[1:])  # no abstract, no keywords line
    path = poster_pdf(tmp_path / "plain.pdf", spec)
    layout = api.extract(path, use_tiny)
    assert "descriptions" not in layout
    monkeypatch.setattr(generate, "run", lambda runtime, doc, options: generate.Output(GOOD, 60, 0.2, False))
    doc = api.extract(path, use_tiny.replace(engine="hybrid"))
    meta = doc["_extraction"]
    assert meta["llm_used"] is True and meta["engine"] == "hybrid"
    assert [s["subject"] for s in doc["subjects"]] == parse.parse(GOOD)["subjects"]
    assert doc["descriptions"][0]["descriptionType"] == "Other"
    assert doc["researchField"] == "Life Sciences"
    assert not any("'descriptions'" in w for w in meta["warnings"])
    assert doc["titles"] == layout["titles"] and doc["creators"] == layout["creators"]


def test_cli_extract_hybrid(use_tiny: ExtractOptions, pdf: Path, tmp_path: Path):
    """The issue's done-criterion, through the real CLI: with the tiny model, and without any model.
    The CLI takes the model from the environment (`JSON_MODEL_PATH`), as it always has."""
    cli = Path(sys.executable).with_name("posterx")
    env = {**os.environ, "JSON_MODEL_PATH": use_tiny.model_path, "LLM_MAX_NEW_TOKENS": "48"}
    run = subprocess.run(
        [str(cli), "extract", "--engine", "hybrid", str(pdf), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = [json.loads(p.read_text()) for p in (tmp_path / "out").rglob("*.json")]
    assert written and written[0]["_extraction"]["engine"] == "hybrid"
    assert written[0]["_extraction"]["constrained"] is True  # the default
    assert written[0]["_extraction"]["llm_json"] in ("valid", "repaired")
    env = {k: v for k, v in env.items() if k != "JSON_MODEL_PATH"}
    env["JSON_MODEL_ID"] = "nobody/not-in-the-local-cache"
    run = subprocess.run([str(cli), "extract", "--engine", "hybrid", str(pdf), "-o", "-"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    meta = json.loads(run.stdout)["_extraction"]
    assert meta["engine"] == "hybrid" and meta["llm_used"] is False
    assert any("layout result" in w or "LLM" in w for w in meta["warnings"]), meta["warnings"]


# --- constrained decoding ------------------------------------------------------------------------


def test_constrained_random_model_writes_schema_valid_json(constrained_answer: generate.Output):
    """Random weights, yet the answer is one JSON object of the answer schema, as written."""
    out = constrained_answer
    assert out.constrained and out.notes == ()
    value = answer.strict(out.text)
    assert value is not None, out.text[:300]
    assert list(value) == list(answer.SCHEMA["properties"])  # generated in the schema's order
    assert value["researchField"] in parse.DOMAINS
    assert out.new_tokens < 700  # closed by the grammar, not by the cap


def test_every_prefix_of_a_constrained_answer_parses(constrained_answer: generate.Output):
    """What the cap or the timeout leaves of a constrained answer is a prefix of a valid object:
    the lenient parser turns every such prefix into an object, and once `researchField` is written,
    into a usable one. So a cut answer is repaired, never unusable."""
    text = constrained_answer.text
    field_done = text.index('","subjects"') + 1
    for n in range(1, len(text) + 1):
        value = parse.loads_lenient(text[:n])
        if n > len('{"researchField":'):
            assert isinstance(value, dict), text[:n]
        if n >= field_done:
            assert parse.parse(text[:n]).get("researchField") in parse.DOMAINS, text[:n]


def test_constrained_answer_cut_by_the_cap_is_still_used(use_tiny: ExtractOptions):
    doc = layout_doc(abstract=False)
    out, info = llm.enrich(doc, page_of("x"), use_tiny)  # 48 tokens: the grammar is cut inside `subjects`
    assert info["constrained"] is True and info["new_tokens"] == 48
    assert info["llm_json"] == "repaired"
    assert info["llm_used"] is True and out["researchField"] in parse.DOMAINS
    for key in ("titles", "creators", "content"):
        assert out[key] == doc[key]


def test_constrained_timeout_keeps_the_caps(use_tiny: ExtractOptions):
    options = use_tiny.replace(llm_timeout_seconds=0.000001, llm_max_new_tokens=400)
    _, info = llm.enrich(layout_doc(), page_of("x"), options)
    assert info["constrained"] is True and info["new_tokens"] < 400
    assert any("time limit" in w for w in info["warnings"])


def test_schema_mask_allows_only_the_schema_then_only_eos(use_tiny: ExtractOptions):
    import torch

    from extraction.llm.constrain import SchemaMask

    runtime = loader.get(use_tiny)
    tok = runtime.tokenizer
    eos = [tok.eos_token_id]
    prompt_ids = torch.tensor([[tok.bos_token_id]])
    mask = SchemaMask(runtime, prompt_len=1, eos=eos)
    vocab = runtime.model.config.vocab_size + 7  # an output layer padded past the tokenizer
    allowed = torch.isfinite(mask(prompt_ids, torch.zeros(1, vocab)))[0]
    assert not allowed[len(tok) :].any()
    assert all(tok.decode([i]).startswith("{") for i in allowed.nonzero().flatten().tolist())
    # A token the schema forbids puts the matcher in error: from then on only EOS, and the reason is kept.
    bad = tok.encode("x", add_special_tokens=False)[0]
    allowed = torch.isfinite(mask(torch.tensor([[tok.bos_token_id, bad]]), torch.zeros(1, vocab)))[0]
    assert allowed.nonzero().flatten().tolist() == eos
    assert mask.error


def test_without_the_grammar_library_generation_goes_on_unconstrained(
    use_tiny: ExtractOptions, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "llguidance", None)  # `import llguidance` now fails
    monkeypatch.setitem(sys.modules, "llguidance.hf", None)
    _, info = llm.enrich(layout_doc(), page_of("x"), use_tiny)
    assert info["constrained"] is False
    assert any("constrained decoding unavailable (ModuleNotFoundError" in w for w in info["warnings"]), info[
        "warnings"
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [("0", False), ("off", False), ("no", False), ("1", True), ("", True)]
)
def test_llm_constrained_setting(value: str, expected: bool):
    """How the CLI reads LLM_CONSTRAINED into the options (the service's settings: test_options.py)."""
    from extraction.cli import options_from_env

    assert options_from_env({"LLM_CONSTRAINED": value}).llm_constrained is expected


def test_summary_loop_and_echoed_fields_are_dropped():
    looped = (
        "M dwarfs are the most common stars. They are the largest class in the galaxy. "
        "They are the largest class in the galaxy. They are the largest class in the galaxy. They"
    )
    fields = parse.validate(
        {"description": looped, "subjects": ["M dwarfs", "Life Sciences", "Physical Sciences", "transits"]}
    )
    assert fields["description"] == (
        "M dwarfs are the most common stars. They are the largest class in the galaxy."
    )
    assert "subjects" not in fields  # two real keywords left after the echoed field names: too few


# --- GGUF: finding the file ----------------------------------------------------------------------


def _gguf(path: Path) -> Path:
    path.write_bytes(loader.GGUF_MAGIC + b"\x03\x00\x00\x00" + bytes(64))
    return path


def resolve(options: ExtractOptions) -> loader.Source | None:
    return loader.resolve(loader.config(options))


def test_gguf_file_as_model_path(tmp_path: Path):
    model = _gguf(tmp_path / "mounted-without-suffix")  # Compose mounts the file at a fixed path
    options = BASE.replace(model_path=str(model))
    source = resolve(options)
    assert (source.directory, source.format, source.gguf_file) == (tmp_path, "gguf", model.name)
    assert llm.status(options)["json_model"] == f"configured (not loaded, gguf {model.name})"


def test_gguf_directory_one_file_or_named(tmp_path: Path):
    _gguf(tmp_path / "m.Q4_K_M.gguf")
    options = BASE.replace(model_path=str(tmp_path))
    assert resolve(options).gguf_file == "m.Q4_K_M.gguf"
    _gguf(tmp_path / "m.Q8_0.gguf")
    with pytest.raises(loader.ModelUnavailable, match="several GGUF files.*JSON_MODEL_GGUF_FILE"):
        resolve(options)
    assert resolve(options.replace(model_gguf_file="m.Q8_0.gguf")).gguf_file == "m.Q8_0.gguf"
    with pytest.raises(loader.ModelUnavailable, match="JSON_MODEL_GGUF_FILE m.F16.gguf is not in"):
        resolve(options.replace(model_gguf_file="m.F16.gguf"))


def test_gguf_file_beside_a_transformers_config_is_chosen_by_name(tiny_model: Path):
    options = BASE.replace(model_path=str(tiny_model))
    assert resolve(options).format == "safetensors"
    with pytest.raises(loader.ModelUnavailable, match="is not a GGUF file"):
        resolve(options.replace(model_gguf_file="model.safetensors"))  # exists, but is no GGUF


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "weights.bin").write_bytes(b"PK\x03\x04"), "is a file but not a GGUF model"),
        (lambda d: None, "has no config.json and no .gguf file"),
    ],
)
def test_wrong_model_paths_say_what_to_fix(setup, message: str, tmp_path: Path):
    written = setup(tmp_path)
    target = tmp_path / "weights.bin" if written else tmp_path
    options = BASE.replace(model_path=str(target))
    assert llm.status(options)["json_model"].startswith("error: ")
    assert message in llm.status(options)["json_model"]


# --- load plan: device, dtype, 4-bit -------------------------------------------------------------


def test_4bit_quantisation_config_is_built_whenever_cuda_is_reported(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
):
    """Only CUDA's presence is faked; bitsandbytes and transformers' BitsAndBytesConfig are the real ones
    from requirements/gpu.txt, so a missing or broken bitsandbytes pin fails here, on any machine."""
    from transformers import BitsAndBytesConfig

    monkeypatch.setattr(loader, "cuda_available", lambda: True)
    cfg = loader.config(BASE.replace(model_path=str(tiny_model), model_quant="4bit"))
    how = loader.plan(loader.resolve(cfg), cfg, loader.cuda_available())
    quant = how.kwargs["quantization_config"]
    assert isinstance(quant, BitsAndBytesConfig)
    assert quant.load_in_4bit and quant.bnb_4bit_quant_type == "nf4"
    assert (how.device, how.dtype, how.notes) == ("cuda", "4bit", [])
    assert how.kwargs["device_map"] == {"": 0}


def test_4bit_without_cuda_refuses_with_a_warning(use_tiny: ExtractOptions, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loader, "cuda_available", lambda: False)
    options = use_tiny.replace(model_quant="4bit")
    cfg = loader.config(options)
    how = loader.plan(loader.resolve(cfg), cfg, loader.cuda_available())
    assert "quantization_config" not in how.kwargs and how.dtype == "float32"
    _, info = llm.enrich(layout_doc(), page_of("x"), options)  # the real load on the CPU says so
    assert "JSON_MODEL_QUANT=4bit needs a CUDA GPU; loaded in float32 on the CPU" in info["warnings"]
    assert llm.status(options)["json_model"] == "ok (safetensors, float32)"


def test_gguf_plan_dequantises_and_never_requantises(tmp_path: Path):
    from transformers import GgufConfig

    cfg = loader.config(BASE.replace(model_path=str(_gguf(tmp_path / "m.gguf")), model_quant="4bit"))
    how = loader.plan(loader.resolve(cfg), cfg, cuda=True)
    assert isinstance(how.kwargs["quantization_config"], GgufConfig)
    assert how.kwargs["quantization_config"].dequantize is True  # no kernel fetched from the Hub
    assert how.kwargs["gguf_file"] == "m.gguf" and how.dtype == "bfloat16"
    assert any("does not apply to a GGUF model" in n for n in how.notes)


# --- posterx bench --engine hybrid ---------------------------------------------------------------


def test_bench_hybrid_reports_both_decoding_modes(use_tiny: ExtractOptions, pdf: Path, tmp_path: Path):
    """The bench's figures come from the real path: the random model is usable only when constrained."""
    cli = Path(sys.executable).with_name("posterx")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "p.pdf").write_bytes(pdf.read_bytes())
    env = {**os.environ, "JSON_MODEL_PATH": use_tiny.model_path, "LLM_MAX_NEW_TOKENS": "48"}
    run = subprocess.run(
        [str(cli), "bench", str(corpus), "--engine", "hybrid", "--json", str(tmp_path / "b.json")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads((tmp_path / "b.json").read_text())["summary"]
    assert summary["llm load_seconds"] > 0 and summary["format"] == "safetensors"
    assert summary["constrained: usable JSON (valid or repaired)"] == "1/1 (100%)"
    assert summary["unconstrained: usable JSON (valid or repaired)"] == "0/1 (0%)"
    assert summary["constrained: tokens/s (median, prompt reading included)"] > 0
    assert summary["constrained: s/poster (median)"] > 0
    assert "schema-valid JSON as written" in run.stdout.split("constrained: ", 1)[1]


def test_bench_hybrid_without_a_model_says_so(pdf: Path, tmp_path: Path):
    cli = Path(sys.executable).with_name("posterx")
    (tmp_path / "p.pdf").write_bytes(pdf.read_bytes())
    env = {**os.environ, "JSON_MODEL_ID": MISSING_ID}
    env.pop("JSON_MODEL_PATH", None)
    run = subprocess.run([str(cli), "bench", str(tmp_path), "--engine", "hybrid"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 2 and "JSON model cannot be loaded" in run.stderr
