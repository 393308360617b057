"""Question 3: gradient descent variants, momentum and an Adam step to complete.

The loss curves of part (d) come from really training a logistic regression with
batch, mini-batch and stochastic gradient descent on a sampled problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import (
    Choices,
    Code,
    Formula,
    Model,
    Option,
    Panel,
    PanelRow,
    dense,
    evaluate,
    optim,
    require,
    sampling,
)

SCENARIOS = (
    {"id": "instruments", "task": "the musical instrument given an audio clip",
     "counted": "unique types of instruments", "data": "sounds of each",
     "order": "first collecting audio clips of guitars, then clips of violins, and so on for "
              "all the different instruments"},
    {"id": "birds", "task": "the bird species given a recording of its song",
     "counted": "bird species", "data": "recordings of each",
     "order": "first recording robins, then sparrows, and so on for all the different species"},
    {"id": "languages", "task": "the language spoken in a short voice recording",
     "counted": "languages", "data": "recordings of each",
     "order": "first recording speakers of English, then speakers of Spanish, and so on for "
              "all the different languages"},
    {"id": "dog-breeds", "task": "the breed of a dog given a photo",
     "counted": "dog breeds", "data": "photos of each",
     "order": "first photographing beagles, then poodles, and so on for all the different "
              "breeds"},
    {"id": "machine-faults", "task": "the type of fault of a machine given a vibration signal",
     "counted": "types of machine fault", "data": "signals of each",
     "order": "first recording machines with worn bearings, then machines with loose belts, and "
              "so on for all the different faults"},
)  # fmt: skip
CLASS_COUNTS = (10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 100)
METHODS = ("BGD", "MBGD", "SGD")
# How the official solutions and students name them ("Batch (B), minibatch (C), ...").
METHOD_NAMES = {
    "BGD": (
        "batch",
        "batch gradient descent",
        "full batch",
        "full-batch gradient descent",
        "GD",
        "gradient descent",
    ),
    "MBGD": (
        "minibatch",
        "mini-batch",
        "mini batch",
        "minibatch gradient descent",
        "mini-batch gradient descent",
        "MB-GD",
        "MBSGD",
    ),
    "SGD": ("stochastic", "stochastic gradient descent"),
}
PANELS = ("A", "B", "C")
LEARNING_RATES = ("1e-3", "3e-4", "5e-4", "1e-2", "2e-3")
BETA1S = ("0.9", "0.85", "0.95")
BETA2S = ("0.999", "0.99", "0.995")
EPSILONS = ("1e-8", "1e-7", "1e-6")
STEPS = 60
# Small steps and small batches: with learning rate 1, SGD has learnt all it will in the
# first few steps and its curve is flat noise; a batch of 32 or more wiggles too little
# to be told from batch GD at print size.  Three of each, so that every other parameter
# is drawn as before.
CURVE_LRS = (0.1, 0.2, 0.5)
BATCH_SIZES = (8, 16, 24)
RECORD_EVERY = 2  # the key records every second step of each curve: 30 points, not 60
LABEL_SCALE = 8  # labels from sigmoid(8 x.w): a few noisy labels, as real data has
MARGIN = 0.5  # every input moved this far from the boundary x.w = 0, along w (see _data)
# What each printed panel must show, on the plotted and on the recorded losses (see
# _readable), in heights of the panel (each panel's y-axis runs from 0 to its curve's top):
# the last third of every curve averages at least TREND lower than its first third; no
# loss in SGD's last third is above every earlier one; roughness (see _roughness) is 0 for
# BGD, at least WIGGLE for MBGD and at least GAP times MBGD's for SGD.
TREND = 0.15
WIGGLE = 0.008
GAP = 2.5
# How the curves of (d) were made, recorded in the key beside their data (see record_curves).
CURVE_PROBLEM = (
    "logistic regression with a bias, every parameter 0 at step 0, trained by gradient "
    "descent with learning rate curve_lr on the mean binary cross-entropy of each step's "
    "batch (batch_sizes; examples reshuffled every epoch); data: examples x features inputs "
    f"x from N(0, 1), each moved {MARGIN} further from the plane x.w = 0 along w, label 1 "
    f"with probability sigmoid({LABEL_SCALE} x.w), w from N(0, 1), all drawn from the "
    "question's self-check stream, and drawn again until every curve descends and the "
    "three noise levels differ (the checks say by how much); loss[panel][k]: the batch's "
    "loss at step recorded_steps[k], before that step's update, as plotted (4 decimals)"
)

# Parts (a), (b), (c), (e), (f) and (g) ask one of several alternative questions per copy,
# each needing the same steps as the others (solve() declares them: PART_STEPS below); the
# first alternative of each is the original exam's, which the replica asks.
#
# (a): shuffling data collected class by class, with an optimizer whose updates see the
# whole dataset (no) or a part of it in the stored order (yes).
SHUFFLES = (
    {"id": "batch", "method": "batch gradient descent (BGD)",
     "answer": "No. Shuffling the dataset has no impact on the gradients used for each "
               "update: with batch gradient descent the entire dataset is used either way.",
     "rubric": ("Credit for no, because every update uses the entire dataset, so the order of "
                "the examples changes nothing.",)},
    {"id": "stochastic", "method": "stochastic gradient descent (SGD) (i.e.\\ batch size of 1)",
     "answer": "Yes. Without shuffling, stochastic gradient descent sees the examples in the "
               "order they were collected, one class after another, so many consecutive "
               "updates all pull the model toward the same class and it forgets the classes "
               "seen before; shuffling mixes the classes from one update to the next.",
     "rubric": ("Credit for yes, because each update uses one example in the stored order, so "
                "consecutive updates see a single class (biased updates, forgetting).",)},
    {"id": "mini-batch", "method": "mini-batch gradient descent (MBGD) with mini-batches of "
                                   "64 examples",
     "answer": "Yes. Without shuffling, each mini-batch holds examples of one class (or two) "
               "only, so its gradient is a biased estimate of the whole dataset's and the "
               "updates swing from class to class; shuffling makes every mini-batch a "
               "representative sample of all the classes.",
     "rubric": ("Credit for yes, because each mini-batch is a slice of the stored order, so it "
                "holds one or two classes only (biased gradients).",)},
    {"id": "full-mini-batch", "method": "mini-batch gradient descent (MBGD) with a mini-batch "
                                        "size equal to the number of training examples",
     "answer": "No. With a mini-batch as large as the dataset, every update uses the entire "
               "dataset, exactly as batch gradient descent does, so the order of the examples "
               "has no impact on the gradients.",
     "rubric": ("Credit for no, because each mini-batch is the entire dataset (batch gradient "
                "descent), so the order of the examples changes nothing.",)},
)  # fmt: skip
# (b) and (c): one reason to choose one method over another, two different comparisons
# (any of the six, the second never the first one reversed).
METHOD_FULL = {
    "BGD": "batch gradient descent (BGD)",
    "MBGD": "mini-batch gradient descent (MBGD)",
    "SGD": "stochastic gradient descent (SGD) (i.e.\\ batch size of 1)",
}
COMPARISONS = {
    ("MBGD", "SGD"): (
        "Compared to stochastic gradient descent, mini-batch gradient descent uses "
        "vectorization to process more training examples quickly, and its updates are less "
        "noisy.",
        ("Credit for vectorization / efficiency or for less noisy updates.",),
    ),
    ("SGD", "MBGD"): (
        "Each update of stochastic gradient descent needs a single example, so it is cheap and "
        "needs little memory, and the parameters are updated many more times per pass over "
        "the data; its noisier updates can also help escape local minima and saddle points.",
        (
            "Credit for cheaper or more frequent updates, less memory, or noise that helps escape "
            "local minima and saddle points.",
        ),
    ),
    ("BGD", "SGD"): (
        "Batch gradient descent follows the exact gradient of the whole training set, so its "
        "updates are not noisy and the cost decreases smoothly, and it processes all the "
        "examples at once with vectorization.",
        (
            "Credit for the exact, noise-free gradient (a smooth, steady decrease) or for "
            "vectorization / efficiency.",
        ),
    ),
    ("MBGD", "BGD"): (
        "Large datasets often cannot be held in GPU memory, and with a very big dataset a "
        "single batch update takes a long time; mini-batches avoid both. The extra noise in "
        "the updates can also help escape local minima and saddle points.",
        ("Credit for memory, time per update, or noise that helps escape saddle points.",),
    ),
    ("BGD", "MBGD"): (
        "Batch gradient descent uses the exact gradient of the whole training set, so every "
        "update goes in the true descent direction and the cost decreases smoothly, with no "
        "mini-batch size to tune.",
        (
            "Credit for the exact, noise-free gradient (a smooth, steady decrease) or for no "
            "mini-batch size to tune.",
        ),
    ),
    ("SGD", "BGD"): (
        "Each update of stochastic gradient descent uses a single example, so it makes "
        "progress right away instead of after a pass over the whole (possibly huge) dataset "
        "and needs little memory; its noise can also help escape local minima and saddle "
        "points.",
        (
            "Credit for fast, frequent updates on a large dataset, little memory, or noise that "
            "helps escape local minima and saddle points.",
        ),
    ),
}
COMPARED = tuple(COMPARISONS)
# (e)(i) and (e)(ii): two different learning-rate settings and the sign each gives.
LR_SIGNS = (
    {"id": "too-large", "setting": "too large",
     "answer": "The cost does not converge to an optimum and can even diverge: plotted against "
               "the number of iterations, the cost oscillates wildly.",
     "rubric": ("Credit for a cost that oscillates, jumps up or diverges (grows, NaN).",)},
    {"id": "too-small", "setting": "too small",
     "answer": "The cost takes a very long time to converge: plotted against the number of "
               "iterations, it decreases very slowly (trying higher learning rates improves "
               "it).",
     "rubric": ("Credit for a cost that decreases very slowly (takes very long to converge).",)},
    {"id": "well-chosen", "setting": "well chosen",
     "answer": "Plotted against the number of iterations, the cost decreases quickly at first, "
               "then more slowly, and levels off smoothly at a low value, without oscillating "
               "or diverging.",
     "rubric": ("Credit for a cost that drops fast, then levels off smoothly at a low value "
                "(no oscillation, no slow crawl).",)},
    {"id": "decay", "setting": "good at the start of training but too large later on",
     "answer": "The cost drops quickly at first, then stops improving and keeps bouncing "
               "around a plateau instead of settling into the minimum: the learning rate "
               "should be decayed.",
     "rubric": ("Credit for a fast early drop followed by a noisy plateau (oscillating around "
                "the minimum without settling).",)},
)  # fmt: skip
# (f): momentum or RMSProp, in the course's notation (alpha, beta) or Ruder's (eta, gamma);
# (f)(ii) asks how it speeds up learning or what a decay rate near 1 does.
OPTIMIZERS = (
    {"id": "momentum", "name": "gradient descent with momentum", "short": "momentum"},
    {"id": "rmsprop", "name": "RMSProp", "short": "RMSProp"},
)
NOTATIONS = (
    {"id": "course", "lr": "alpha", "decay": "beta"},
    {"id": "ruder", "lr": "eta", "decay": "gamma"},
)
EXPLAIN = ("speed", "decay")
EXPLANATIONS = {
    ("momentum", "speed"): (
        "Momentum averages the gradients with exponentially weighted averages, which cancels "
        "out oscillations and keeps the update in the direction of consistent descent, so it "
        "speeds up learning.",
        (
            "Credit for averaging the gradients, which cancels oscillations and keeps the "
            "consistent direction.",
        ),
    ),
    ("momentum", "decay"): (
        "The average then spans more past gradients (about 1 / (1 - decay) of them), so the "
        "updates get smoother and oscillate less, but they react more slowly to a change of "
        "the gradient and can overshoot.",
        (
            "Credit for an average over more past gradients: smoother updates that react more "
            "slowly (lag, overshoot).",
        ),
    ),
    ("rmsprop", "speed"): (
        "RMSProp divides each update by the root of an exponentially weighted average of the "
        "squared gradients, which damps the directions where the gradients are large and "
        "oscillate and enlarges the steps where they are small, so a larger learning rate can "
        "be used and learning is faster.",
        (
            "Credit for dividing by the root of the averaged squared gradients, which damps the "
            "oscillating directions (a larger learning rate).",
        ),
    ),
    ("rmsprop", "decay"): (
        "S then averages the squared gradients over more past steps (about 1 / (1 - decay) "
        "of them), so the scale each update is divided by gets smoother and reacts more "
        "slowly to a change in the size of the gradients.",
        (
            "Credit for an average over more past squared gradients: a smoother scale that "
            "reacts more slowly to a change of the gradients.",
        ),
    ),
}
# (g): the Adam step in one of four naming conventions of its code: the same five lines to
# write, with other names (a neighbour's lines name variables this copy does not have).
ADAM_NAMES = (
    {"id": "course", "lr": "lr", "beta1": "beta1", "beta2": "beta2", "eps": "eps",
     "grad": "grad", "w": "w", "v_corr": "v_corr", "s_corr": "s_corr"},
    {"id": "hat", "lr": "alpha", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon",
     "grad": "dw", "w": "param", "v_corr": "v_hat", "s_corr": "s_hat"},
    {"id": "unbiased", "lr": "rate", "beta1": "b1", "beta2": "b2", "eps": "delta",
     "grad": "g", "w": "theta", "v_corr": "v_unb", "s_corr": "s_unb"},
    {"id": "short", "lr": "eta", "beta1": "rho1", "beta2": "rho2", "eps": "eps",
     "grad": "dW", "w": "weight", "v_corr": "vc", "s_corr": "sc"},
)  # fmt: skip
# What a student must do for each part, the same for every alternative of the part.
PART_STEPS = {
    "a": ("which examples each update uses", "whether their order changes the gradient"),
    "b": ("what an update of each method computes", "an advantage of the first method"),
    "c": ("what an update of each method computes", "an advantage of the first method"),
    "e.i": ("the size of the updates the setting gives", "the cost curve they make"),
    "e.ii": ("the size of the updates the setting gives", "the cost curve they make"),
    "f.i": ("exponentially weighted average of a gradient statistic", "update of W with it"),
    "f.ii": ("what the exponentially weighted average holds", "its effect on the updates"),
    "g": (
        "moving averages of grad and grad^2",
        "bias corrections",
        "Adam update",
        "the skeleton's variable names",
    ),
}

REPLICA = {
    "scenario": SCENARIOS[0], "classes": 50,
    "examples": 400, "features": 4, "curve_lr": 0.5, "batch_size": 16,
    "lr": "1e-3", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8",
    "shuffle": {"id": "batch", "method": SHUFFLES[0]["method"]},
    "compare_b": {"first": "MBGD", "second": "SGD", "first_full": METHOD_FULL["MBGD"],
                  "second_full": METHOD_FULL["SGD"]},
    "compare_c": {"first": "MBGD", "second": "BGD", "first_full": METHOD_FULL["MBGD"],
                  "second_full": METHOD_FULL["BGD"]},
    "lr_signs": [{"id": "too-large", "setting": "too large"},
                 {"id": "too-small", "setting": "too small"}],
    "optimizer": OPTIMIZERS[0], "notation": NOTATIONS[0], "explain": "speed",
    "adam_names": ADAM_NAMES[0],
    "curve_order": ["BGD", "MBGD", "SGD"],
}  # fmt: skip

# {name}: a name of the drawn convention (ADAM_NAMES), {name_value}: a drawn constant.
ADAM_SKELETON = '''def optim_adam(weights_dict, gradients_dict, cache_dict, step):
    """v is VdW, s is SdW, {v_corr} is VcorrdW, {s_corr} is ScorrdW."""
    {lr}, {beta1}, {beta2}, {eps} = {lr_value}, {beta1_value}, {beta2_value}, {eps_value}
    for weight_name in weights_dict:
        {w} = weights_dict[weight_name]
        {grad} = gradients_dict[weight_name]
        v = cache_dict["v" + weight_name]
        s = cache_dict["s" + weight_name]
        # TODO: Exp weighted avg of {grad}
        @@v@@
        # TODO: Exp weighted avg of {grad}^2
        @@s@@
        # TODO: Bias correction. divide by (1 - {beta1}^step)
        @@v_corr@@
        # TODO: Bias correction. divide by (1 - {beta2}^step)
        @@s_corr@@
        # TODO: Update rule for Adam
        @@w@@
        cache_dict["v" + weight_name] = v
        cache_dict["s" + weight_name] = s
        weights_dict[weight_name] = {w}'''
ADAM_LINES = {
    "v": "v = {beta1} * v + (1 - {beta1}) * {grad}",
    "s": "s = {beta2} * s + (1 - {beta2}) * ({grad} ** 2)",
    "v_corr": "{v_corr} = v / (1 - ({beta1} ** step))",
    "s_corr": "{s_corr} = s / (1 - ({beta2} ** step))",
    "w": "{w} = {w} - {lr} * {v_corr} / np.sqrt({s_corr} + {eps})",
}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "classes": int(rng.choice(CLASS_COUNTS)),
        "examples": int(rng.integers(3, 9)) * 64,
        "features": int(rng.integers(2, 9)),
        "curve_lr": float(rng.choice(CURVE_LRS)),
        "batch_size": int(rng.choice(BATCH_SIZES)),
        "lr": str(rng.choice(LEARNING_RATES)),
        "beta1": str(rng.choice(BETA1S)),
        "beta2": str(rng.choice(BETA2S)),
        "eps": str(rng.choice(EPSILONS)),
        **_alternatives(rng),
    }


def _alternatives(rng: np.random.Generator) -> dict[str, Any]:
    """The question each of (a), (b), (c), (e), (f) and (g) asks (see SHUFFLES and after),
    drawn after the original parameters so that those stay as they were drawn before."""
    shuffle = SHUFFLES[rng.integers(len(SHUFFLES))]
    b = COMPARED[rng.integers(len(COMPARED))]
    c_choices = [c for c in COMPARED if c not in (b, b[::-1])]
    c = c_choices[rng.integers(len(c_choices))]
    first, second = rng.choice(len(LR_SIGNS), size=2, replace=False)
    return {
        "shuffle": {"id": shuffle["id"], "method": shuffle["method"]},
        "compare_b": _compared(b),
        "compare_c": _compared(c),
        "lr_signs": [{k: LR_SIGNS[i][k] for k in ("id", "setting")} for i in (first, second)],
        "optimizer": OPTIMIZERS[rng.integers(len(OPTIMIZERS))],
        "notation": NOTATIONS[rng.integers(len(NOTATIONS))],
        "explain": str(rng.choice(EXPLAIN)),
        "adam_names": ADAM_NAMES[rng.integers(len(ADAM_NAMES))],
    }


def _compared(pair: tuple[str, str]) -> dict[str, str]:
    first, second = pair
    return {"first": first, "second": second, "first_full": METHOD_FULL[first],
            "second_full": METHOD_FULL[second]}  # fmt: skip


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Which method's curve is printed as A, B and C."""
    return {**params, "curve_order": [METHODS[i] for i in rng.permutation(len(METHODS))]}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The answers; the curves of (d) are also recorded into ``params`` (see record_curves)."""
    curves = _loss_curves(params, rng)
    order = params["curve_order"]
    params["curves"] = record_curves(params, curves)
    return {
        "d": Choices(
            options=tuple(Option(m, True, also=METHOD_NAMES[m]) for m in METHODS),
            pairs=dict(zip(PANELS, order, strict=True)),
        ),
        **_text_models(params),
        "f.i": _average_rules(params, rng),
        "g": _adam_code(params, rng),
        "steps": PART_STEPS,
        "figures": {"curves": PanelRow(
            "loss-curves", tuple(Panel(p, tuple(curves[m])) for p, m in zip(PANELS, order,
                                                                            strict=True)))},
    }  # fmt: skip


def _loss_curves(params: dict[str, Any], rng: np.random.Generator) -> dict[str, list[float]]:
    """Train the same logistic regression three ways, on data drawn again until the
    recorded curves read as they should (see _readable); each step's batch loss."""
    return sampling.until(lambda: _trained(params, rng), _readable_as_plotted_and_recorded)


def _readable_as_plotted_and_recorded(curves: dict[str, list[float]]) -> bool:
    """The figure plots every step and the key records every other one: both must read."""
    plotted = {m: np.array(c) for m, c in curves.items()}
    return _readable(plotted) and _readable(_recorded(curves))


def _trained(params: dict[str, Any], rng: np.random.Generator) -> dict[str, list[float]]:
    """One draw of the data, trained by batch, mini-batch and stochastic GD."""
    X, y = _data(params["examples"], params["features"], rng)
    sizes = {"BGD": params["examples"], "MBGD": params["batch_size"], "SGD": 1}
    curves = {
        method: optim.training_curve(X, y, batch_size=size, lr=params["curve_lr"],
                                     steps=STEPS, rng=rng)
        for method, size in sizes.items()
    }  # fmt: skip
    return {m: [round(float(v), 4) for v in c] for m, c in curves.items()}


def _data(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inputs with a margin around the true boundary, and mostly clean labels.

    Without the margin, examples near the boundary stay misclassified while the weights
    grow, and their loss grows with the weights: SGD's one-example curve then spikes
    higher towards the end, which reads as divergence.
    """
    w = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    direction = w / np.linalg.norm(w)
    X += MARGIN * np.outer(np.sign(X @ direction), direction)
    y = (rng.uniform(size=n) < dense.sigmoid(X @ w * LABEL_SCALE)).astype(float)
    return X, y


def _recorded(curves: dict[str, list[float]]) -> dict[str, np.ndarray]:
    """The points of each curve that the key records."""
    return {m: np.array(c[::RECORD_EVERY]) for m, c in curves.items()}


def _readable(curves: dict[str, np.ndarray]) -> bool:
    """Whether the printed panels show what the answer says (see TREND and GAP)."""
    drops, spike, rough = _measures(curves)
    return min(drops) >= TREND and spike <= 1 and _apart(rough)


def _measures(curves: dict[str, np.ndarray]) -> tuple[list[float], float, list[float]]:
    """Each method's drop (BGD, MBGD, SGD), SGD's end spike, each method's roughness."""
    drops = [_drop(curves[m]) for m in METHODS]
    return drops, _end_spike(curves["SGD"]), [_roughness(curves[m]) for m in METHODS]


def _apart(rough: list[float]) -> bool:
    """BGD smooth, MBGD visibly rough, SGD GAP times rougher than MBGD."""
    bgd, mbgd, sgd = rough
    return bgd == 0 and mbgd >= WIGGLE and sgd >= GAP * mbgd


def _thirds(curve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A curve's first and last third: where a reader looks for the trend."""
    k = len(curve) // 3
    return curve[:k], curve[-k:]


def _drop(curve: np.ndarray) -> float:
    """How far the last third's mean lies below the first third's, in panel heights."""
    first, last = _thirds(curve)
    return float((first.mean() - last.mean()) / curve.max())


def _end_spike(curve: np.ndarray) -> float:
    """The last third's highest loss over the highest before it: above 1 reads as divergence."""
    k = len(curve) // 3
    return float(curve[-k:].max() / curve[:-k].max())


def record_curves(params: dict[str, Any], curves: dict[str, list[float]]) -> dict[str, Any]:
    """What the key needs to check the A/B/C answer without the PDF: the plotted losses of
    every panel (every RECORD_EVERY-th step) and how they were trained.

    The curves are trained on the self-check stream, which only solve() gets (drawing them
    in sample() would change every exam's figure), so solve() puts this record into the
    params it was given: the key writes the params after solve().  The losses are decimal
    text: exact as plotted, and no number that ``generate-exam check`` would look for in
    the printed text (the figure is a drawing, not printed numbers).  The checks run on
    the losses as recorded, so what the key says held is what an auditor of the key finds.
    """
    steps = list(range(0, STEPS, RECORD_EVERY))
    panels = dict(zip(PANELS, params["curve_order"], strict=True))
    record = {
        "problem": CURVE_PROBLEM,
        "steps": STEPS,
        "batch_sizes": {"BGD": params["examples"], "MBGD": params["batch_size"], "SGD": 1},
        "recorded_steps": steps,
        "loss": {p: [f"{curves[m][k]:.4f}" for k in steps] for p, m in panels.items()},
    }
    recorded = {panels[p]: np.array([float(v) for v in loss]) for p, loss in record["loss"].items()}
    _require_readable(recorded)
    return record


def _require_readable(curves: dict[str, np.ndarray]) -> None:
    """The key's self-checks of the curves, with the measured values (3 digits)."""
    drops, spike, rough = _measures(curves)
    require(
        min(drops) >= TREND,
        f"every recorded curve descends by {TREND:g} of its panel's height ({_shown(drops)})",
    )
    require(spike <= 1, f"SGD's recorded losses do not grow at the end ({_shown([spike])})")
    require(
        _apart(rough),
        f"recorded curves: BGD never rises, MBGD rises by {WIGGLE:g} of its panel a step and "
        f"SGD {GAP:g}x as much ({_shown(rough)})",
    )


def _shown(values: list[float]) -> str:
    """Three significant digits: the key's self-check text must not carry the last-digit
    differences that numpy's SIMD paths give on different CPUs (byte-identical keys)."""
    return ", ".join(f"{v:.3g}" for v in values)


def _roughness(curve: np.ndarray) -> float:
    """The curve's mean rise per step, in heights of its panel: the wiggle a reader sees.

    Gradient descent on this convex loss with these small steps never raises the whole
    batch's loss, so batch GD's curve never rises and every rise of the others is noise,
    while a smooth descent, however fast or bent, counts nothing.
    """
    return float(np.mean(np.maximum(np.diff(curve), 0)) / curve.max())


def _text_models(params: dict[str, Any]) -> dict[str, Model]:
    """The model answer and grading notes of the question each text part asks."""
    shuffle = next(a for a in SHUFFLES if a["id"] == params["shuffle"]["id"])
    signs = {a["id"]: a for a in LR_SIGNS}
    first, second = (signs[s["id"]] for s in params["lr_signs"])
    pairs = {part: (params[f"compare_{part}"]["first"], params[f"compare_{part}"]["second"])
             for part in "bc"}  # fmt: skip
    compared = {part: COMPARISONS[pair] for part, pair in pairs.items()}
    explained = EXPLANATIONS[params["optimizer"]["id"], params["explain"]]
    return {
        "a": Model(shuffle["answer"], rubric=shuffle["rubric"]),
        "b": Model(*compared["b"]),
        "c": Model(*compared["c"]),
        "e.i": Model(first["answer"], rubric=first["rubric"]),
        "e.ii": Model(second["answer"], rubric=second["rubric"]),
        "f.ii": Model(*explained),
    }


def _average_rules(params: dict[str, Any], rng: np.random.Generator) -> list[Formula]:
    """Momentum (V = beta V + (1 - beta) dJ/dW; W = W - alpha V) or RMSProp (S = beta S +
    (1 - beta) (dJ/dW)^2; W = W - alpha dJ/dW / sqrt(S)), in the drawn notation, checked
    against the engine's step."""
    notation = params["notation"]
    W, grad = sp.symbols("W dJdW")
    alpha, beta = sp.Symbol(notation["lr"]), sp.Symbol(notation["decay"])
    w0, g = rng.standard_normal(5), rng.standard_normal(5)
    if params["optimizer"]["id"] == "momentum":
        V = sp.Symbol("V")
        names = {grad: r"\frac{\partial J}{\partial W}"}
        average = Formula(
            "V", sp.Add(_product(beta, V), _product(1 - beta, grad), evaluate=False), names
        )
        update = Formula("W", sp.Add(W, -_product(alpha, V), evaluate=False), names)
        a0 = rng.standard_normal(5)
        w1, a1 = optim.momentum_step(w0, a0, g, lr=0.05, beta=0.9)
        what = "momentum"
    else:
        V = sp.Symbol("S")
        names = {grad: r"\left(\frac{\partial J}{\partial W}\right)"}
        squared = sp.Pow(grad, 2, evaluate=False)
        average = Formula(
            "S", sp.Add(_product(beta, V), _product(1 - beta, squared), evaluate=False), names
        )
        update = Formula("W", sp.Add(W, -_product(alpha / sp.sqrt(V), grad), evaluate=False),
                         names)  # fmt: skip
        a0 = rng.uniform(0.1, 1, 5)
        w1, a1 = optim.rmsprop_step(w0, a0, g, lr=0.05, beta=0.9, eps=0.0)
        what = "RMSProp"
    a_new = evaluate(average, {V: a0, beta: 0.9, grad: g})
    require(np.allclose(a_new, a1), f"{what} average")
    require(np.allclose(evaluate(update, {W: w0, alpha: 0.05, V: a_new, grad: g}), w1),
            f"{what} step")  # fmt: skip
    return [average, update]


def _product(*factors: sp.Expr) -> sp.Expr:
    """A product printed in the order written (beta V, not V beta)."""
    return sp.Mul(*factors, evaluate=False)


def adam_code(params: dict[str, Any]) -> Code:
    """The skeleton and its five lines, in the drawn naming convention (ADAM_NAMES)."""
    names = params["adam_names"]
    values = {f"{k}_value": params[k] for k in ("lr", "beta1", "beta2", "eps")}
    skeleton = ADAM_SKELETON.format(**names, **values)
    return Code(skeleton, {blank: line.format(**names) for blank, line in ADAM_LINES.items()})


def _adam_code(params: dict[str, Any], rng: np.random.Generator) -> Code:
    """The filled-in function, executed, must take the engine's Adam steps."""
    code = adam_code(params)
    namespace: dict[str, Any] = {"np": np}
    exec(compile(code.filled(), "<adam>", "exec"), namespace)  # our own template, not input
    hyper = {k: float(params[k]) for k in ("lr", "beta1", "beta2", "eps")}
    weights = {"W1": rng.standard_normal((3, 2))}
    cache = {"vW1": np.zeros((3, 2)), "sW1": np.zeros((3, 2))}
    state = optim.AdamState(weights["W1"].copy(), np.zeros((3, 2)), np.zeros((3, 2)))
    for step in (1, 2, 3):
        grad = rng.standard_normal((3, 2))
        namespace["optim_adam"](weights, {"W1": grad}, cache, step)
        state = optim.adam_step(state, grad, step, **hyper)
    require(np.allclose(weights["W1"], state.W), "Adam code against the engine")
    return code


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The curves are printed as A, B, C in the drawn order."""
    return {"d": dict(zip(PANELS, params["curve_order"], strict=True))}
