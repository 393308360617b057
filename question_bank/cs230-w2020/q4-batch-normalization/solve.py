"""Question 4: batch normalization statements, forward pass and parameter count."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import (
    Accept,
    Code,
    Model,
    Statement,
    batchnorm,
    dense,
    require,
    statements,
)

# The parts of question.toml, all printed with the statements of (a).  A statement that
# another part gives away names it in revealed_by and is never drawn (the replica keeps the
# original exam's four); two statements of which one decides the other exclude each other.
PARTS = ("a", "b", "c", "d", "e")

POOL = (
    Statement("faster-batch",
              "Batch normalization makes processing a single batch faster, reducing the training "
              "time while keeping the number of updates fixed. This allows the network to spend "
              "the same amount of time performing more updates to reach the minima.", False,
              "Each iteration is slower (extra work in the forward and backward passes); the "
              "network converges in fewer iterations, so training is faster overall.",
              excludes=("fewer-iterations",), tier=2),
    Statement("coupling",
              "Batch normalization weakens the coupling between earlier/later layers, which "
              "allows for independent learning.", True,
              "Each layer's input is normalized, which lessens the coupling between layers.",
              tier=1),
    # (b) has the student write the normalization of each feature across the examples.
    Statement("normalizes-output",
              "Batch normalization normalizes the output distribution to be more uniform across "
              "dimensions.", True,
              "That is its purpose: each feature is normalized (to zero mean and unit variance) "
              "with the statistics of the mini-batch.", revealed_by=("b",), tier=1),
    Statement("init-small",
              "Batch normalization mitigates the effects of poor weight initialization and "
              "allows the network to initialize our weights to smaller values close to zero.",
              False,
              "The first half is true, but it only limits the effect of the initialization; it "
              "does not allow initializing the weights to values close to zero.", tier=2),
    Statement("higher-lr",
              "Batch normalization allows the use of higher learning rates, since optimization "
              "becomes less sensitive to the scale of the parameters.", True,
              "Normalized pre-activations keep gradients well scaled, so larger steps are "
              "stable.", tier=1),
    # The test branch of (b) loads the moving averages.
    Statement("test-batch-stats",
              "At test time, batch normalization normalizes each example with the mean and "
              "variance of the test mini-batch it arrives in.", False,
              "At test time it uses the moving averages of the mean and variance collected "
              "during training, so a prediction does not depend on other test examples.",
              revealed_by=("b",), tier=2),
    # Its text is (d)'s second accepted answer: few examples give noisy statistics.
    Statement("regularizer",
              "Batch normalization has a slight regularization effect, because the statistics "
              "of each mini-batch add noise to the activations.", True,
              "The noisy mini-batch mean and variance act a little like dropout noise.",
              revealed_by=("d",), excludes=("replaces-dropout",), tier=2),
    # (b) calls gamma and beta "BN layer parameter"; (e) counts "batch normalization parameters".
    Statement("no-parameters",
              "Batch normalization adds no trainable parameters to the network.", False,
              "It adds a trainable scale $\\gamma$ and shift $\\beta$ for every normalized "
              "feature.", revealed_by=("b", "e"), tier=1),
    # (e)'s answer counts the dense weights without a bias (its first rubric point).
    Statement("bias-redundant",
              "When batch normalization follows a dense layer, that layer's bias term becomes "
              "redundant.", True,
              "The mean subtraction cancels any bias, and $\\beta$ plays its role.",
              revealed_by=("e",), tier=2),
    # (d) asks what problem batch normalization has with a batch size of 1.
    Statement("batch-size-one",
              "Batch normalization works as well with a mini-batch size of 1 as with larger "
              "mini-batches.", False,
              "With one example $z - \\mu = 0$: the output is constant and nothing useful is "
              "learned.", revealed_by=("d",), tier=2),
    Statement("fewer-iterations",
              "A network with batch normalization usually needs fewer training iterations to "
              "converge than the same network without it.", True,
              "Normalized layers allow larger, better-conditioned steps, so fewer updates reach "
              "the same cost (each one costs a little more).", excludes=("faster-batch",), tier=1),
    Statement("replaces-dropout",
              "Batch normalization is mainly a regularizer: with it, a network needs no dropout "
              "or weight decay.", False,
              "Its purpose is faster and more stable optimization; its regularization effect is "
              "slight (and weaker with larger mini-batches), so it does not replace dropout or "
              "L2 regularization.", excludes=("regularizer",), tier=2),
    Statement("conv-per-position",
              "After a convolutional layer, batch normalization computes a mean and variance "
              "for every position of every channel.", False,
              "Each channel is normalized with one mean and one variance, taken over the "
              "examples of the mini-batch and all the positions of that channel, so that every "
              "position is treated alike, as the shared filter does.",
              excludes=("conv-per-channel",), tier=2),
    Statement("conv-per-channel",
              "After a convolutional layer, batch normalization uses one mean and variance per "
              "channel, over the mini-batch and all positions.", True,
              "The filter of a channel is shared by every position, so its outputs are "
              "normalized together: one mean and one variance per channel.",
              excludes=("conv-per-position",), tier=2),
    Statement("saturating",
              "Batch normalization makes it easier to train deep networks with saturating "
              "activations such as sigmoid or tanh.", True,
              "Each layer's pre-activations keep a stable scale instead of drifting into the "
              "flat, saturated regions as the earlier layers change, so gradients keep "
              "flowing.", tier=1),
    Statement("global-minimum",
              "Batch normalization guarantees that gradient descent converges to the global "
              "minimum of the cost function.", False,
              "The cost of a neural network stays non-convex; batch normalization makes "
              "optimization faster and more stable, but guarantees no global minimum.", tier=1),
)  # fmt: skip

# "param": the shape of gamma, beta and the moving averages in cache_dict, as the self-check
# (_batchnorm_code) and tests/test_code_fill_ins.py call the function: one row of
# features, or one column (the engine's keepdims=True statistics have the same shapes).
LAYOUTS = {
    "examples-first": {"shape": "(num_examples, num_features)", "axis": 0,
                       "stats": "axis=0", "param": "(1, num_features)"},
    "features-first": {"shape": "(num_features, num_examples)", "axis": 1,
                       "stats": "axis=1, keepdims=True", "param": "(num_features, 1)"},
}  # fmt: skip

# Two statements read off the course and two subtle ones in every copy, as the original's
# four are (the replica's).
TIERS = (1, 1, 2, 2)
EPSILONS = ("1e-5", "1e-8", "1e-3")
AVERAGING = ("0.9", "0.99", "0.95")

# 4(b)'s alternatives.  Every copy drawn by a seed has its features first, so that every
# copy needs keepdims=True (the rubric's near miss); the original exam's layout, examples
# first, is the replica's only (as the statements other parts give away are).  What a copy
# draws is the names its code uses (the statistics, the normalized input, the output, as
# textbooks and libraries write them): each line of the key is written with them, so a
# neighbour's lines fill no blank, while the steps stay the same.
CODE_WIDTH = 77  # characters of a code line the page holds in 9 pt Courier

NAMINGS = {
    "cs230": {"mean": "mu", "var": "var", "norm": "Z_norm", "out": "out"},
    "paper": {"mean": "mu_B", "var": "sigma2_B", "norm": "Z_hat", "out": "Z_tilde"},
    "library": {"mean": "mean", "var": "variance", "norm": "Z_normalized", "out": "outputs"},
    "batch": {"mean": "batch_mean", "var": "batch_var", "norm": "Z_standardized",
              "out": "Z_out"},
    "estimate": {"mean": "mu_hat", "var": "var_hat", "norm": "Z_n", "out": "Z_scaled"},
    "per-feature": {"mean": "mean_Z", "var": "var_Z", "norm": "Z_unit", "out": "Z_bn"},
}  # fmt: skip
DRAWN_LAYOUT = "features-first"
# What a student does in 4(b), by layout (the replica's examples first need no keepdims).
CODE_STEPS = {
    "features-first": ("mean over the examples (axis 1) with keepdims",
                       "variance over the examples (axis 1) with keepdims",
                       "load the two moving averages", "normalize with eps under the square root",
                       "scale by gamma and shift by beta"),
    "examples-first": ("mean over the examples (axis 0)", "variance over the examples (axis 0)",
                       "load the two moving averages", "normalize with eps under the square root",
                       "scale by gamma and shift by beta"),
}  # fmt: skip

# 4(c): the role of one part of the layer (question.tex.j2 words each question by its id).
ROLES = {
    "eps": ("It prevents division by 0 for features whose variance is 0.",
            ("1 point: it keeps the denominator $\\sqrt{\\sigma^2 + \\epsilon}$ away from 0, "
             "for a feature whose variance in the mini-batch is 0 (or tiny).",)),
    "gamma-beta": ("They let the network learn the scale and the mean of each normalized "
                   "feature (it can even undo the normalization), so normalizing does not "
                   "restrict what the layer can represent to zero mean and unit variance.",
                   ("1 point: a learned scale and shift per feature, so the layer's outputs "
                    "are not forced to zero mean and unit variance (it can represent the "
                    "identity).",)),
    "sqrt": ("It turns the variance into the standard deviation, so that dividing by it "
             "gives each feature unit variance (dividing by the variance itself would not).",
             ("1 point: the square root gives the standard deviation, the spread in the units "
              "of $z$, so the normalized features have variance 1.",)),
    "beta-avg": ("It sets how much of their past value the moving averages keep at each "
                 "training step: close to 1 they average the statistics of many mini-batches "
                 "(smooth, but slow to follow the statistics as the network changes), smaller "
                 "they follow the last few mini-batches (noisy).",
                 ("1 point: the weight of the past in the moving averages of the mean and "
                  "variance used at test time (how many mini-batches they average over).",)),
}  # fmt: skip
# 4(d): what goes wrong with the mini-batch statistics in one situation.
PROBLEMS = {
    "batch-one": ("With a mini-batch of one example, $z - \\mu = 0$, so the normalized output is "
                  "always $\\beta$ and the layer cannot learn meaningful features. More "
                  "generally, mean and variance estimated from very few examples are very "
                  "noisy, at train time and in the moving averages used at test time.",
                  ("Either explanation is acceptable: the output is constant (always $\\beta$), "
                   "or the batch statistics are too noisy.",)),
    "batch-two": ("With two examples, each feature's mean lies halfway between them and its "
                  "standard deviation is half their distance, so every normalized value is "
                  "$+1$ or $-1$ (up to $\\epsilon$): the output is $\\beta \\pm \\gamma$, which "
                  "only says which example is larger. More generally, mean and variance "
                  "estimated from very few examples are very noisy, at train time and in the "
                  "moving averages used at test time.",
                  ("Either explanation is acceptable: the normalized values are always $\\pm 1$ "
                   "(the output $\\beta \\pm \\gamma$ keeps only the order of the two "
                   "examples), or the batch statistics are too noisy.",)),
    "one-class": ("Each mini-batch is normalized with the mean and variance of its own class, "
                  "so the normalization removes what tells the classes apart (every batch is "
                  "centered on its class's mean); and at test time the moving averages, a mix "
                  "of the classes' statistics, differ from the statistics of every training "
                  "batch.",
                  ("Either explanation is acceptable: the statistics are those of one class, so "
                   "normalizing erases the difference between the classes, or the train-time "
                   "statistics (one class) differ from the test-time moving averages (all "
                   "classes).",)),
    "zero-padded": ("The all-zero examples count in the mean and variance: the mean is pulled "
                    "toward 0 and the variance is distorted, so the real examples are "
                    "normalized with wrong statistics, which also enter the moving averages "
                    "used at test time.",
                    ("1 point: the padding examples enter the batch statistics, so the real "
                     "examples are normalized (and the moving averages updated) with a wrong "
                     "mean and variance.",)),
}  # fmt: skip
STEPS = {
    "c": ("say what the part does in the layer's computation", "say why the layer needs it"),
    "d": ("work out the mini-batch statistics in this situation",
          "work out the normalized output they give", "say why the layer then learns badly"),
}  # fmt: skip

SKELETON = '''def forward_batchnorm(Z, gamma, beta, cache_dict, mode,
                      eps={eps}, beta_avg={beta_avg}):
    """Performs the forward propagation through a BatchNorm layer.

    Arguments:
    Z -- input, with shape {shape}
    gamma -- BN layer parameter, with shape {param}
    beta -- BN layer parameter, with shape {param}
    cache_dict -- moving averages 'mu' and 'var', with shape {param}
    eps -- scalar, BN layer hyperparameter
    beta_avg -- scalar, beta value to use for moving averages
    mode -- string, indicating whether used at 'train' or 'test' time

    Returns:
    {out} -- output, with shape {shape}
    """
    if mode == 'train':
        # TODO: Mean of Z across the examples
        @@mu_train@@
        # TODO: Variance of Z across the examples
        @@var_train@@
        # Take moving average for cache_dict['mu']
        cache_dict['mu'] = beta_avg * cache_dict['mu'] + (1 - beta_avg) * {mean}
        # Take moving average for cache_dict['var']
        cache_dict['var'] = beta_avg * cache_dict['var'] + (1 - beta_avg) * {var}
    elif mode == 'test':
        # TODO: Load moving average of {mean}
        @@mu_test@@
        # TODO: Load moving average of {var}
        @@var_test@@
    # TODO: Apply z_norm transformation
    @@z_norm@@
    # TODO: Apply gamma and beta transformation to get Z tilde
    @@out@@
    return {out}'''

REPLICA = {
    "statements": ["faster-batch", "coupling", "normalizes-output", "init-small"],
    "layout": "examples-first", "naming": "cs230", "eps": "1e-5", "beta_avg": "0.9",
    "n_in": 10, "n_out": 20, "role": "eps", "problem": "batch-one",
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "layout": DRAWN_LAYOUT,
        "naming": str(rng.choice(sorted(NAMINGS))),
        "eps": str(rng.choice(EPSILONS)),
        "beta_avg": str(rng.choice(AVERAGING)),
        "n_in": int(rng.integers(2, 21)) * 5,
        "n_out": int(rng.integers(2, 21)) * 5,
        "role": str(rng.choice(sorted(ROLES))),
        "problem": str(rng.choice(sorted(PROBLEMS))),
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Which four statements part (a) prints, in which order: none that (b) to (e) give away."""
    drawn = statements.draw(POOL, 4, rng, printed=PARTS, tiers=TIERS)
    return {**params, "statements": drawn}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    layer = dense.Dense.zeros(params["n_in"], params["n_out"], bias=False)
    norm = batchnorm.BatchNorm.zeros(params["n_out"])
    return {
        "a": statements.as_choices(POOL, params["statements"]),
        "steps": {
            "a": statements.steps(POOL, params["statements"]),
            "b": CODE_STEPS[params["layout"]],
            **STEPS,
        },
        "b": _batchnorm_code(params, rng),
        "c": Model(ROLES[params["role"]][0], rubric=ROLES[params["role"]][1]),
        "d": Model(PROBLEMS[params["problem"]][0], rubric=PROBLEMS[params["problem"]][1]),
        "e": Accept(
            layer.weight_count + layer.bias_count + norm.parameter_count,
            mistakes=_count_mistakes(params["n_in"], params["n_out"]),
        ),
    }


def _count_mistakes(n_in: int, n_out: int) -> dict[str, int]:
    """(e)'s named mistakes, each worth one of its rubric's two points (question.toml), or
    none: the dense bias counted instead of batch norm has the value of one batch-norm
    parameter per output, and a value two mistakes share goes to a person."""
    return {
        "the dense bias is counted and batch norm forgotten": n_in * n_out + n_out,
        "the dense layer's bias is counted": n_in * n_out + n_out + 2 * n_out,
        "the batch-norm parameters are forgotten": n_in * n_out,
        "batch norm is counted over the inputs": n_in * n_out + 2 * n_in,
        "one batch-norm parameter is counted per output": n_in * n_out + n_out,
    }


def batchnorm_code(params: dict[str, Any]) -> Code:
    spec, n = LAYOUTS[params["layout"]], NAMINGS[params["naming"]]
    mean, var, norm, out = n["mean"], n["var"], n["norm"], n["out"]
    lines = {
        "mu_train": f"{mean} = np.mean(Z, {spec['stats']})",
        "var_train": f"{var} = np.var(Z, {spec['stats']})",
        "mu_test": f"{mean} = cache_dict['mu']",
        "var_test": f"{var} = cache_dict['var']",
        "z_norm": f"{norm} = (Z - {mean}) / np.sqrt({var} + eps)",
        "out": f"{out} = gamma * {norm} + beta",
    }
    skeleton = SKELETON.format(
        shape=spec["shape"],
        param=spec["param"],
        eps=params["eps"],
        beta_avg=params["beta_avg"],
        **n,
    )
    return Code("\n".join(_fitted(line) for line in skeleton.split("\n")), lines)


def _fitted(line: str) -> str:
    """A moving-average line too wide for the page (the longer namings: mu_hat, variance)
    broken after its first term, the rest under the opening parenthesis."""
    if len(line) <= CODE_WIDTH or not line.lstrip().startswith("cache_dict["):
        return line
    target, value = line.split(" = ", 1)
    first, rest = value.split(" + ", 1)
    return f"{target} = ({first}\n{' ' * (len(target) + 3)} + {rest})"


def _batchnorm_code(params: dict[str, Any], rng: np.random.Generator) -> Code:
    """The filled-in function, executed in train then test mode, must match the engine."""
    layout, eps, beta_avg = params["layout"], float(params["eps"]), float(params["beta_avg"])
    code = batchnorm_code(params)
    namespace: dict[str, Any] = {"np": np}
    exec(compile(code.filled(), "<batchnorm>", "exec"), namespace)  # our own template
    axis = LAYOUTS[layout]["axis"]
    shape = (8, 5) if axis == 0 else (5, 8)
    stat_shape = (1, 5) if axis == 0 else (5, 1)  # LAYOUTS[layout]["param"]
    gamma, beta = rng.standard_normal(stat_shape), rng.standard_normal(stat_shape)
    ours = {"mu": np.zeros(stat_shape), "var": np.ones(stat_shape)}
    engine = {"mu": np.zeros(stat_shape), "var": np.ones(stat_shape)}
    for mode in ("train", "train", "test"):
        Z = rng.standard_normal(shape) * 3 + 1
        got = namespace["forward_batchnorm"](Z, gamma, beta, ours, mode)
        want = batchnorm.batchnorm_forward(Z, gamma, beta, eps, engine, beta_avg, mode, axis=axis)
        require(np.allclose(got, want), f"batch-norm code ({layout}, {mode})")
    return code


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """n_in * n_out weights (no bias), one gamma and one beta per output; the true statements."""
    truth = {s.id: s.true for s in POOL}
    labels = ("i", "ii", "iii", "iv")
    n_in, n_out = params["n_in"], params["n_out"]
    return {
        "a": [label for label, i in zip(labels, params["statements"], strict=True) if truth[i]],
        "e": n_in * n_out + 2 * n_out,
    }
