"""word2vec on a GPU with torch: skip-gram and CBOW with negative sampling, in mini-batches.

The examples (subsampled sentences, reduced windows, negatives) are drawn on the CPU by
:func:`_w2v_kernels.draw_examples` with the very random draws the CPU kernel makes; the
updates of ``batch_size`` centre words are then computed at once on the device as batched
matrix products and scattered with ``index_add_``. With ``batch_size=1`` the updates are
exactly the CPU kernel's (up to float rounding), which is how the path is tested without a GPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, require
from ._sampling import MAX_F, alias_table, keep_probabilities


def torch_job(model: Any, encoded: Any, device: str | None = None,
              batch_size: int = 1024) -> Callable[[int, int, float, float, int], tuple[float, int, int]]:
    """A job runner like ``Word2Vec._kernel_job`` that trains on ``device`` with torch.

    The returned function has a ``sync()`` attribute that copies the device weights back into
    the model's numpy arrays (called at the end of every epoch).

    Args:
        model: The ``Word2Vec`` model whose weights are trained (``hs=False``).
        encoded: The encoded corpus (``ids`` and sentence ``bounds``).
        device: The torch device; ``None`` takes ``model.device``.
        batch_size: How many centre words are updated at once.

    Returns:
        ``run(first, last, alpha_start, alpha_end, seed)``, which trains on the sentences
        ``first`` to ``last`` and returns ``(loss, predictions, words)``.

    Raises:
        MissingExtraError: torch is not installed.
        InvalidParameterError: The model uses hierarchical softmax, or a CUDA device is asked
            for but torch sees none.
    """
    torch = require("torch", "torch")
    from ._w2v_kernels import draw_examples

    if model.hs:
        raise InvalidParameterError(
            f"{model._owner}(device={model.device!r}) supports negative sampling only; pass hs=False"
        )
    s = model._state
    device = device or str(model.device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"{model._owner}(device={device!r}): torch sees no CUDA device; use device='cpu'"
        )
    w_in = torch.from_numpy(s.w_in).to(device)
    w_out = torch.from_numpy(s.w_out_ns).to(device)
    keep = keep_probabilities(s.counts, float(model.sample))
    prob, alias = alias_table(s.counts, float(model.ns_exponent))
    negative, window, cbow = int(model.negative), int(model.window), model.mode == "cbow"

    def nll_and_sigmoid(scores: Any) -> tuple[Any, Any]:
        # The CPU kernel's saturation: beyond +-MAX_F the sigmoid is 0 or 1.
        clipped = scores.clamp(-MAX_F, MAX_F)
        sig = torch.where(scores >= MAX_F, 1.0, torch.where(scores <= -MAX_F, 0.0, torch.sigmoid(clipped)))
        nll = torch.where(scores <= -MAX_F, -scores, torch.nn.functional.softplus(-clipped))
        return sig, nll

    def run(first: int, last: int, a0: float, a1: float, seed: int) -> tuple[float, int, int]:
        centres, contexts, negs, alphas = draw_examples(
            encoded.ids, encoded.bounds, first, last, keep, prob, alias, negative, window,
            a0, a1, np.uint64(seed))
        loss = 0.0
        predictions = 0
        for start in range(0, len(centres), batch_size):
            stop = start + batch_size
            outputs = torch.from_numpy(np.concatenate(
                [centres[start:stop, None], negs[start:stop, :negative]], axis=1)).to(device).long()
            out_mask = outputs >= 0
            labels = torch.zeros(outputs.shape, device=device)
            labels[:, 0] = 1.0
            ctx = torch.from_numpy(contexts[start:stop]).to(device).long()
            ctx_mask = ctx >= 0
            alpha = torch.from_numpy(alphas[start:stop]).to(device)[:, None]
            out_vec = w_out[outputs.clamp(min=0)]  # B x O x d
            in_vec = w_in[ctx.clamp(min=0)]  # B x C x d
            if cbow:
                count = ctx_mask.sum(1, keepdim=True).float()
                hidden = (in_vec * ctx_mask[..., None]).sum(1) / count  # B x d
                scores = torch.einsum("bd,bod->bo", hidden, out_vec)
                sig, nll = nll_and_sigmoid(scores)
                nll = torch.where(labels > 0, nll, nll + scores)
                grad = alpha * (labels - sig) * out_mask  # B x O
                err = torch.einsum("bo,bod->bd", grad, out_vec)
                w_out.index_add_(0, outputs.clamp(min=0).flatten(),
                                 (grad[..., None] * hidden[:, None, :]).reshape(-1, w_out.shape[1]))
                delta = (err[:, None, :] * ctx_mask[..., None]).reshape(-1, w_in.shape[1])
                w_in.index_add_(0, ctx.clamp(min=0).flatten(), delta)
                loss += float((nll * out_mask).sum())
                predictions += len(outputs)
            else:
                scores = torch.einsum("bcd,bod->bco", in_vec, out_vec)
                sig, nll = nll_and_sigmoid(scores)
                nll = torch.where(labels[:, None, :] > 0, nll, nll + scores)
                mask = ctx_mask[:, :, None] & out_mask[:, None, :]
                grad = alpha[..., None] * (labels[:, None, :] - sig) * mask  # B x C x O
                err = torch.einsum("bco,bod->bcd", grad, out_vec)
                out_delta = torch.einsum("bco,bcd->bod", grad, in_vec)
                w_out.index_add_(0, outputs.clamp(min=0).flatten(), out_delta.reshape(-1, w_out.shape[1]))
                w_in.index_add_(0, ctx.clamp(min=0).flatten(), err.reshape(-1, w_in.shape[1]))
                loss += float((nll * mask).sum())
                predictions += int(ctx_mask.sum())
        return loss, predictions, len(centres)

    def sync() -> None:
        s.w_in[...] = w_in.cpu().numpy()
        s.w_out_ns[...] = w_out.cpu().numpy()

    run.sync = sync  # type: ignore[attr-defined]
    return run
