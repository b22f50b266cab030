"""Constrained decoding: at each step only tokens that keep the answer valid JSON of `answer.SCHEMA`.

Why llguidance: it compiles a JSON schema (lengths, item counts and enums included) into a
token mask computed in Rust (0.2 ms median per token for SmolLM2's 49k vocabulary, mask applied,
on a busy CPU: nothing beside a forward pass), ships as one wheel with no
dependencies, and is maintained by the guidance project (llama.cpp and vLLM use it too). The
mask is computed on the CPU and applied to the logits on whatever device they are, so the same
code serves the CPU and a CUDA GPU. The alternatives were tried against the pinned
transformers 5: lm-format-enforcer's transformers integration no longer imports, and xgrammar
pulls triton into every CPU install.

Decoding stays greedy: the mask only removes tokens, the model still picks the most likely of
the rest. Whitespace outside strings is not allowed (`{"a":"b"}`), which spends no tokens on
indentation and closes off the endless-newline loop that small models fall into under a
permissive grammar.
"""

from __future__ import annotations

from typing import Any

from extraction.llm import answer
from extraction.llm.loader import Runtime

_GRAMMAR_OPTIONS = {"whitespace_flexible": False}


def _grammar_tokenizer(runtime: Runtime, eos: list[int]) -> Any:
    """llguidance's view of the model's tokenizer: built once per loaded model (0.5-3.5 s measured)."""
    tok = runtime.cache.get("llguidance_tokenizer")
    if tok is None:
        import llguidance.hf

        tok = llguidance.hf.from_tokenizer(runtime.tokenizer, eos_token=eos)
        runtime.cache["llguidance_tokenizer"] = tok
    return tok


def grammar() -> str:
    import llguidance

    return llguidance.LLMatcher.grammar_from_json_schema(answer.SCHEMA, defaults=_GRAMMAR_OPTIONS)


class SchemaMask:
    """A transformers logits processor that masks every token the schema does not allow next.

    It follows the sequence itself: on each call, the token chosen at the previous step (the last
    of `input_ids`) is fed to the matcher first. When the matcher has finished the object, or
    entered an error state (which a masked greedy choice cannot cause, but a bug could), only the
    end-of-sequence tokens stay allowed, so generation stops instead of writing past the object.
    """

    def __init__(self, runtime: Runtime, prompt_len: int, eos: list[int]) -> None:
        import llguidance

        self.matcher = llguidance.LLMatcher(_grammar_tokenizer(runtime, eos), grammar(), log_level=0)
        if self.matcher.is_error():
            raise RuntimeError(f"the answer schema did not compile: {self.matcher.get_error()}")
        self.prompt_len = prompt_len
        self.eos = eos
        self.error: str | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np
        import torch

        if input_ids.shape[0] != 1:
            raise ValueError("constrained decoding follows one sequence; got a batch")
        if input_ids.shape[1] > self.prompt_len and not self.matcher.is_error():
            self.matcher.consume_token(int(input_ids[0, -1]))
        vocab = scores.shape[1]
        if self.matcher.is_error() or self.matcher.is_stopped():
            if self.matcher.is_error() and self.error is None:
                self.error = self.matcher.get_error()[:200]
            allowed = np.zeros(vocab, dtype=bool)
            allowed[[e for e in self.eos if e < vocab]] = True
        else:
            bits = np.frombuffer(self.matcher.compute_bitmask(), dtype=np.uint8)
            allowed = np.unpackbits(bits, bitorder="little").astype(bool)
            # The model's output layer may be padded past the tokenizer's vocabulary: never those.
            allowed = np.pad(allowed, (0, max(0, vocab - allowed.size)))[:vocab]
        mask = torch.from_numpy(allowed).to(scores.device)
        return scores.masked_fill(~mask, float("-inf"))
