"""One greedy, capped generation, constrained to the answer schema, that stops when the object closes.

The cap (`ExtractOptions.llm_max_new_tokens`, default 512) and the wall-clock limit
(`llm_timeout_seconds`, default 120) bound the cost of a runaway answer; the brace-balance stop
ends a good answer as soon as it is complete instead of letting the model ramble to the cap.

With `llm_constrained` on (the default), a token mask (`constrain.py`) lets the model write
only JSON that fits `answer.SCHEMA`: the answer is then valid as written, or, when the cap or the
timeout cuts it, a valid prefix that the lenient parser closes. Turning it off is for measuring
what the constraint buys (`posterx bench --engine hybrid`) and as an escape hatch should the
grammar library misbehave with a new model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from extraction.llm import prompt
from extraction.llm.loader import Runtime
from extraction.llm.parse import Scanner
from extraction.options import ExtractOptions


@dataclass
class Output:
    text: str
    new_tokens: int
    seconds: float
    timed_out: bool
    constrained: bool = False
    prompt_tokens: int = 0
    first_token_seconds: float | None = None  # reading the prompt (prefill) plus the first token
    notes: tuple[str, ...] = ()

    @property
    def decode_tokens_per_second(self) -> float | None:
        """Speed of writing the answer, the prompt's reading time left out."""
        if (
            self.first_token_seconds is None
            or self.new_tokens < 2
            or self.seconds <= self.first_token_seconds
        ):
            return None
        return (self.new_tokens - 1) / (self.seconds - self.first_token_seconds)


def _stopper(tokenizer: Any, prompt_len: int, prefill: str = prompt.PREFILL) -> Any:
    """A StoppingCriteria that feeds each new token's text to a brace scanner.

    It also notes when it is first called (the first token is out), which splits the time into
    reading the prompt and writing the answer for `posterx bench`.
    """
    import torch
    from transformers import StoppingCriteria

    class JsonClosed(StoppingCriteria):
        def __init__(self) -> None:
            self.scanner = Scanner()
            for ch in prefill:
                self.scanner.feed(ch)
            self.seen = prompt_len
            self.first_call: float | None = None

        def __call__(self, input_ids: Any, scores: Any = None, **kwargs: Any) -> Any:
            if self.first_call is None:
                self.first_call = time.perf_counter()
            done = self.scanner.closed
            for token in input_ids[0, self.seen :].tolist():
                for ch in tokenizer.decode([token], skip_special_tokens=True):
                    done = self.scanner.feed(ch) or done
            self.seen = input_ids.shape[1]
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

    return JsonClosed()


def _eos_ids(runtime: Runtime) -> list[int]:
    eos = runtime.model.generation_config.eos_token_id
    if eos is None:
        eos = runtime.tokenizer.eos_token_id
    return [int(e) for e in (eos if isinstance(eos, list) else [eos]) if e is not None]


def _mask(runtime: Runtime, prompt_len: int, eos: list[int]) -> tuple[Any, str | None]:
    """The schema mask, or None and the reason when the grammar library cannot be used."""
    try:
        from extraction.llm.constrain import SchemaMask

        return SchemaMask(runtime, prompt_len, eos), None
    except Exception as exc:  # missing wheel, a tokenizer llguidance cannot read: generate unconstrained
        return (
            None,
            f"constrained decoding unavailable ({type(exc).__name__}: {str(exc)[:150]}); generated without it",
        )


def run(runtime: Runtime, doc: dict[str, Any], options: ExtractOptions) -> Output:
    """Generate the answer for one poster; the returned text starts with the object's `{`."""
    import torch
    from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

    tok = runtime.tokenizer
    notes: list[str] = []
    eos = _eos_ids(runtime)
    mask = None
    if options.llm_constrained:
        # The grammar itself starts the object, so the `{` is not prefilled.
        text, templated = prompt.build(tok, doc, options.llm_prompt_chars, prefill="")
        enc = tok(text, return_tensors="pt", add_special_tokens=not templated)
        mask, why = _mask(runtime, enc["input_ids"].shape[1], eos)
        if why:
            notes.append(why)
    if mask is None:
        text, templated = prompt.build(tok, doc, options.llm_prompt_chars)
        enc = tok(text, return_tensors="pt", add_special_tokens=not templated)
    prefill = "" if mask is not None else prompt.PREFILL
    input_ids = enc["input_ids"].to(runtime.model.device)
    attention = enc["attention_mask"].to(runtime.model.device)
    prompt_len = input_ids.shape[1]
    max_time = float(options.llm_timeout_seconds)
    gen = GenerationConfig(
        max_new_tokens=options.llm_max_new_tokens,
        do_sample=False,
        num_beams=1,
        max_time=max_time,
        eos_token_id=eos,
        pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else eos[0],
    )
    stopper = _stopper(tok, prompt_len, prefill)
    started = time.perf_counter()
    with runtime.lock, torch.inference_mode():
        out = runtime.model.generate(
            input_ids=input_ids,
            attention_mask=attention,
            generation_config=gen,
            logits_processor=LogitsProcessorList([mask] if mask is not None else []),
            stopping_criteria=StoppingCriteriaList([stopper]),
        )
    seconds = time.perf_counter() - started
    first = stopper.first_call - started if stopper.first_call is not None else None
    if mask is not None and mask.error:
        notes.append(f"the schema mask stopped generation: {mask.error}")
    new = out[0, prompt_len:]
    answer = prefill + tok.decode(new, skip_special_tokens=True)
    return Output(
        text=answer,
        new_tokens=int(new.shape[0]),
        seconds=seconds,
        timed_out=seconds >= max_time,
        constrained=mask is not None,
        prompt_tokens=int(prompt_len),
        first_token_seconds=first,
        notes=tuple(notes),
    )
