"""One greedy, capped generation that stops when the JSON object closes.

The cap (`LLM_MAX_NEW_TOKENS`, default 512) and the wall-clock limit (`LLM_TIMEOUT_SECONDS`,
default 120) bound the cost of a runaway answer; the brace-balance stop ends a good answer
as soon as it is complete instead of letting the model ramble to the cap.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from extraction.llm import prompt
from extraction.llm.loader import Runtime
from extraction.llm.parse import Scanner

DEFAULT_MAX_NEW_TOKENS = 512
DEFAULT_TIMEOUT = 120.0


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass
class Output:
    text: str
    new_tokens: int
    seconds: float
    timed_out: bool


def _stopper(tokenizer: Any, prompt_len: int) -> Any:
    """A StoppingCriteria that feeds each new token's text to a brace scanner."""
    import torch
    from transformers import StoppingCriteria

    class JsonClosed(StoppingCriteria):
        def __init__(self) -> None:
            self.scanner = Scanner()
            for ch in prompt.PREFILL:
                self.scanner.feed(ch)
            self.seen = prompt_len

        def __call__(self, input_ids: Any, scores: Any = None, **kwargs: Any) -> Any:
            done = self.scanner.closed
            for token in input_ids[0, self.seen :].tolist():
                for ch in tokenizer.decode([token], skip_special_tokens=True):
                    done = self.scanner.feed(ch) or done
            self.seen = input_ids.shape[1]
            return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

    return JsonClosed()


def run(runtime: Runtime, doc: dict[str, Any]) -> Output:
    """Generate the answer for one poster; the returned text starts with the prefilled `{`."""
    import torch
    from transformers import GenerationConfig, StoppingCriteriaList

    tok = runtime.tokenizer
    text, templated = prompt.build(tok, doc)
    enc = tok(text, return_tensors="pt", add_special_tokens=not templated)
    input_ids = enc["input_ids"].to(runtime.model.device)
    attention = enc["attention_mask"].to(runtime.model.device)
    prompt_len = input_ids.shape[1]
    max_time = _env_number("LLM_TIMEOUT_SECONDS", DEFAULT_TIMEOUT)
    eos = runtime.model.generation_config.eos_token_id
    if eos is None:
        eos = tok.eos_token_id
    gen = GenerationConfig(
        max_new_tokens=int(_env_number("LLM_MAX_NEW_TOKENS", DEFAULT_MAX_NEW_TOKENS)),
        do_sample=False,
        num_beams=1,
        max_time=max_time,
        eos_token_id=eos,
        pad_token_id=tok.pad_token_id
        if tok.pad_token_id is not None
        else (eos[0] if isinstance(eos, list) else eos),
    )
    started = time.perf_counter()
    with runtime.lock, torch.inference_mode():
        out = runtime.model.generate(
            input_ids=input_ids,
            attention_mask=attention,
            generation_config=gen,
            stopping_criteria=StoppingCriteriaList([_stopper(tok, prompt_len)]),
        )
    seconds = time.perf_counter() - started
    new = out[0, prompt_len:]
    answer = prompt.PREFILL + tok.decode(new, skip_special_tokens=True)
    return Output(text=answer, new_tokens=int(new.shape[0]), seconds=seconds, timed_out=seconds >= max_time)
