"""Question 4: batch normalization statements, forward pass and parameter count."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Accept, Code, Statement, batchnorm, dense, require, statements

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
    out -- output, with shape {shape}
    """
    if mode == 'train':
        # TODO: Mean of Z across the examples
        @@mu_train@@
        # TODO: Variance of Z across the examples
        @@var_train@@
        # Take moving average for cache_dict['mu']
        cache_dict['mu'] = beta_avg * cache_dict['mu'] + (1 - beta_avg) * mu
        # Take moving average for cache_dict['var']
        cache_dict['var'] = beta_avg * cache_dict['var'] + (1 - beta_avg) * var
    elif mode == 'test':
        # TODO: Load moving average of mu
        @@mu_test@@
        # TODO: Load moving average of var
        @@var_test@@
    # TODO: Apply z_norm transformation
    @@z_norm@@
    # TODO: Apply gamma and beta transformation to get Z tilde
    @@out@@
    return out'''

REPLICA = {
    "statements": ["faster-batch", "coupling", "normalizes-output", "init-small"],
    "layout": "examples-first", "eps": "1e-5", "beta_avg": "0.9", "n_in": 10, "n_out": 20,
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "layout": str(rng.choice(sorted(LAYOUTS))),
        "eps": str(rng.choice(EPSILONS)),
        "beta_avg": str(rng.choice(AVERAGING)),
        "n_in": int(rng.integers(2, 21)) * 5,
        "n_out": int(rng.integers(2, 21)) * 5,
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
        "steps": {"a": statements.steps(POOL, params["statements"])},
        "b": _batchnorm_code(params, rng),
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
    spec = LAYOUTS[params["layout"]]
    lines = {
        "mu_train": f"mu = np.mean(Z, {spec['stats']})",
        "var_train": f"var = np.var(Z, {spec['stats']})",
        "mu_test": "mu = cache_dict['mu']",
        "var_test": "var = cache_dict['var']",
        "z_norm": "Z_norm = (Z - mu) / np.sqrt(var + eps)",
        "out": "out = gamma * Z_norm + beta",
    }
    skeleton = SKELETON.format(
        shape=spec["shape"], param=spec["param"], eps=params["eps"], beta_avg=params["beta_avg"]
    )
    return Code(skeleton, lines)


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
