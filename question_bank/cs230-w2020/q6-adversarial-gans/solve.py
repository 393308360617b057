"""Question 6: adversarial-attack statements, an FGSM step, and the GAN cost.

Each copy draws what (c), (d) and (e) ask, among alternatives that test the same idea
with the same steps (CLAIMS, COST_QUESTIONS, LOSS_QUESTIONS below); the replica asks the
original exam's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from generator.authoring import (
    Choices,
    Model,
    Option,
    Statement,
    attacks,
    dense,
    require,
    statements,
)

# The parts of question.toml, all printed with the statements of (a).  A statement that
# another part gives away names it in revealed_by and is never drawn (the replica keeps the
# original exam's four); two statements of which one decides the other exclude each other.
PARTS = ("a", "b", "c", "d", "e")

POOL = (
    # Transfer is how black-box attacks work: believing it decides the two below.
    Statement("transfer",
              "If you generate an adversarial example to fool a cat classifier A, there's a "
              "chance it will fool another cat classifier B.", True,
              "Classifiers that behave similarly are often fooled by the same examples.",
              excludes=("black-box", "needs-gradients"), tier=2),
    # (b) prints the FGSM formula: a single step.
    Statement("fgsm-iterative",
              "The Fast Gradient Sign Method is an iterative method that can generate "
              "adversarial examples.", False, "FGSM takes a single step; it is not iterative.",
              revealed_by=("b",), tier=1),
    Statement("dropout-defense",
              "Using dropout is an effective defense against adversarial attacks.", False,
              "Dropout is disabled at test time, when the attack happens.", tier=2),
    Statement("black-box",
              "You can create an adversarial attack against a neural network that has been "
              "encrypted on a device, where you can access neither its architecture nor its "
              "parameters.", True, "Attacks on black-box models are possible (e.g. by querying "
              "it, or by transfer from a model you train).",
              excludes=("needs-gradients", "transfer"), tier=2),
    # (c)'s answer: in high dimension a tiny change of every entry adds up.
    Statement("imperceptible",
              "An adversarial example can differ from the original image by a perturbation too "
              "small for a human to notice.", True,
              "A tiny change in every pixel adds up to a large change of the output.",
              revealed_by=("c",), tier=1),
    Statement("needs-gradients",
              "Generating an adversarial example always requires access to the model's "
              "gradients.", False,
              "Black-box attacks query the model or transfer examples from another model.",
              excludes=("black-box", "transfer"), tier=2),
    Statement("adversarial-training",
              "Training on adversarial examples (adversarial training) can make a network more "
              "robust to the attacks used to generate them.", True,
              "It is one of the most effective defenses known.", tier=1),
    Statement("only-images",
              "Adversarial examples exist only for image classifiers.", False,
              "They exist for audio, text and other inputs too.", tier=1),
    # (c)'s answer fools a logistic regression with an epsilon that shrinks with the dimension.
    Statement("linear-safe",
              "Linear models such as logistic regression cannot be fooled by adversarial "
              "examples, because they are not deep.", False,
              "Linearity in high dimension is exactly what makes small perturbations add up "
              "(see part (c)).", revealed_by=("c",), tier=2),
    Statement("physical",
              "Adversarial examples can remain effective when printed and photographed in the "
              "physical world.", True, "Physical adversarial examples have been demonstrated.",
              tier=1),
    Statement("targeted-impossible",
              "An adversarial attack can make a network predict a wrong class, but not a "
              "particular class chosen by the attacker.", False,
              "A targeted attack optimizes the input towards the chosen class, e.g. an image of "
              "a cat that the network classifies as an iguana.", tier=2),
    Statement("accurate-robust",
              "A network with a very high accuracy on its test set is robust to adversarial "
              "examples.", False,
              "Test accuracy is measured on natural inputs; an attacker chooses the input on "
              "purpose, and highly accurate networks are fooled too.", tier=1),
)  # fmt: skip
# One statement read off the course and three subtle ones in every copy, as the original's
# four are (the replica's).
TIERS = (1, 2, 2, 2)
EPSILONS = (0.01, 0.02, 0.05, 0.1, 0.2)
GRADIENTS = (0.1, 0.2, 0.25, 0.5, 1.0, 1.5, 2.0)
COSTS = ("saturating", "non-saturating")
# (d)'s third option in every copy but the replica (which prints the original's two): the
# belief that the two costs, having the same optimum, train alike.
SAME = "same"
# (c): a claim about FGSM and the dimension of x, to agree or disagree with.  Every one is
# decided by the same argument, on a logistic regression: the attack moves w x + b by
# epsilon ||w||_1, which grows linearly with the dimension.
CLAIMS = (
    {"id": "needed-grows",
     "text": r"The magnitude of $\varepsilon$ needed to create the adversarial example "
             r"increases with the dimension of $x$."},
    {"id": "needed-shrinks",
     "text": r"The magnitude of $\varepsilon$ needed to create an adversarial example can "
             r"decrease as the dimension of $x$ grows."},
    {"id": "effect-shrinks",
     "text": r"For a fixed $\varepsilon$, the Fast Gradient Sign Method changes the output "
             r"of a logistic regression less when the dimension of $x$ is larger, since more "
             r"entries share the same budget $\varepsilon$."},
    {"id": "effect-grows",
     "text": r"For a fixed $\varepsilon$, the Fast Gradient Sign Method can change the "
             r"output of a logistic regression more when the dimension of $x$ is larger, even "
             r"though every entry of $x$ moves by at most $\varepsilon$."},
    {"id": "effect-bounded",
     "text": r"Since the Fast Gradient Sign Method moves every entry of $x$ by at most "
             r"$\varepsilon$, it changes the input $wx + b$ of a logistic regression's "
             r"sigmoid by at most $\varepsilon$, whatever the dimension of $x$."},
)  # fmt: skip
_ARGUMENT = (
    r"For a logistic regression $\hat{y} = \sigma(wx + b)$, FGSM gives "
    r"$x^* = x + \varepsilon\,\mathrm{sign}(w^T)$ and "
    r"$\hat{y}^* = \sigma(wx + b + \varepsilon \lVert w \rVert_1)$: the change of the "
    r"sigmoid's input grows as $\Theta(\varepsilon m n)$ with the dimension $n$ of $x$"
)
_LINEAR = "the effect of a fixed $\\varepsilon$ grows linearly with the dimension."
CLAIM_MODELS = {
    "needed-grows": Model(
        f"Disagree. {_ARGUMENT}, so the larger the dimension, the smaller the "
        r"$\varepsilon$ needed, while every entry moves by at most $\varepsilon$.",
        (f"Credit for disagreeing with a reason: {_LINEAR}",),
    ),
    "needed-shrinks": Model(
        f"Agree. {_ARGUMENT}, so the larger the dimension, the smaller the "
        r"$\varepsilon$ needed to move the output by a given amount.",
        (f"Credit for agreeing with a reason: {_LINEAR}",),
    ),
    "effect-shrinks": Model(
        f"Disagree. {_ARGUMENT}. Every entry moves by $\\varepsilon$ in the direction that "
        "raises the loss, so the changes add up: the output changes more, not less.",
        (f"Credit for disagreeing with a reason: {_LINEAR}",),
    ),
    "effect-grows": Model(
        f"Agree. {_ARGUMENT}, although every entry moves by at most $\\varepsilon$.",
        (f"Credit for agreeing with a reason: {_LINEAR}",),
    ),
    "effect-bounded": Model(
        f"Disagree. {_ARGUMENT}. The change is $\\varepsilon \\lVert w \\rVert_1$, up to "
        "$n$ times $\\varepsilon$ times the largest weight in absolute value, not "
        "$\\varepsilon$.",
        (f"Credit for disagreeing with a reason: {_LINEAR}",),
    ),
}
# (d): which cost to train with, or with which the generator learns slowly at first; the
# reason is the same either way (the gradients near D(G(z)) = 0).
COST_QUESTIONS = (
    {"id": "choose", "text": "which cost function would you choose to train a GAN?"},
    {"id": "slow",
     "text": "with which cost function does the generator learn slowly at the beginning of "
             "training, when the discriminator easily rejects its samples?"},
)  # fmt: skip
RIGHT_COST = {"choose": "non-saturating", "slow": "saturating"}
# (e): a GAN's losses read as if they measured image quality; each is measured against the
# other network, which changes during training (or differs between two GANs).
LOSS_QUESTIONS = (
    {"id": "equal",
     "text": "You are training a standard GAN, and at the end of the first epoch you take "
             "note of the values of the generator and discriminator losses. At the end of "
             "epoch 100, the values of the loss functions are approximately the same as they "
             "were at the end of the first epoch. Why is the quality of the generated images "
             "at epoch 1 and at epoch 100 not necessarily similar?"},
    {"id": "generator-higher",
     "text": "You are training a standard GAN. At the end of epoch 100, the generator's loss "
             "is higher than it was at the end of the first epoch. Why are the images "
             "generated at epoch 100 not necessarily worse than those generated at epoch 1?"},
    {"id": "discriminator-lower",
     "text": "You are training a standard GAN. At the end of epoch 100, the discriminator's "
             "loss is lower than it was at the end of the first epoch. Why does this not "
             "necessarily mean that the generated images got worse?"},
    {"id": "two-gans",
     "text": "You train two standard GANs, GAN 1 and GAN 2, on the same data set. At the "
             "end of training, the generator's loss of GAN 1 is lower than that of GAN 2. Why "
             "can't you conclude that GAN 1 generates better images than GAN 2?"},
    {"id": "early-stopping",
     "text": "A classmate proposes to stop training a standard GAN as soon as the "
             "generator's loss stops decreasing, as one stops training a classifier when its "
             "validation loss stops decreasing. Why does a generator's loss that stops "
             "decreasing not mean that the generated images stopped improving?"},
)  # fmt: skip
_OPPONENT = ("Credit for: each loss is measured against the other network, which changes "
             "during training (or differs between two GANs), so a loss alone does not measure "
             "image quality.",)  # fmt: skip
LOSS_MODELS = {
    "equal": Model(
        "The losses are measured against models that change over time: the generator's "
        "loss at epochs 1 and 100 is with respect to a discriminator that may have improved "
        "a lot, and likewise for the discriminator's loss, so equal losses do not mean equal "
        "image quality.", _OPPONENT),
    "generator-higher": Model(
        "The generator's loss at epoch 100 is measured against the discriminator of epoch "
        "100, which may have improved a lot: the generator may have improved too, only less "
        "than the discriminator, so a higher loss does not mean worse images.", _OPPONENT),
    "discriminator-lower": Model(
        "The discriminator's loss at epoch 100 is measured against the generator of epoch "
        "100: the discriminator may have improved faster than the generator, whose images "
        "can still be much better than at epoch 1.", _OPPONENT),
    "two-gans": Model(
        "Each generator's loss is measured against its own discriminator: GAN 2's "
        "discriminator may be much stronger than GAN 1's, so GAN 2's generator may produce "
        "better images despite its higher loss.", _OPPONENT),
    "early-stopping": Model(
        "The generator's loss is measured against the current discriminator, which keeps "
        "improving: both networks may improve together while the loss stays flat, so unlike "
        "a validation loss it is no fixed measure of image quality.", _OPPONENT),
}  # fmt: skip
STEPS = {
    "c": ("decide whether to agree",
          "FGSM on a logistic regression: the sigmoid's input moves by epsilon ||w||_1",
          "how that change grows with the dimension of x"),
    "d": ("early in training the discriminator rejects generated samples: D(G(z)) near 0",
          "compare the gradients of the two costs there", "pick the option and say why"),
    "e": ("each loss is measured against the other network",
          "that network changes (or differs), so the loss does not measure image quality"),
}  # fmt: skip

REPLICA = {
    "statements": ["transfer", "fgsm-iterative", "dropout-defense", "black-box"],
    "x": [1, 2, 3], "grad": [0.5, -0.5, 1.0], "epsilon": 0.01,
    "cost_order": ["saturating", "non-saturating"],
    "claim": CLAIMS[0], "cost_question": COST_QUESTIONS[0], "loss_question": LOSS_QUESTIONS[0],
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """No gradient entry is zero, so the sign of every entry is defined."""
    size = int(rng.integers(3, 6))
    signs = rng.choice([-1.0, 1.0], size=size)
    return {
        "x": [int(v) for v in rng.integers(-5, 10, size=size)],
        "grad": [float(s * rng.choice(GRADIENTS)) for s in signs],
        "epsilon": float(rng.choice(EPSILONS)),
        "claim": CLAIMS[rng.integers(len(CLAIMS))],
        "cost_question": COST_QUESTIONS[rng.integers(len(COST_QUESTIONS))],
        "loss_question": LOSS_QUESTIONS[rng.integers(len(LOSS_QUESTIONS))],
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (d)'s options; which four statements (a) prints, in which order: none
    that (b) to (e) give away."""
    order = [(*COSTS, SAME)[i] for i in rng.permutation(3)]
    drawn = statements.draw(POOL, 4, rng, printed=PARTS, tiers=TIERS)
    return {**params, "statements": drawn, "cost_order": order}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    question = params["cost_question"]["id"]
    return {
        "a": statements.as_choices(POOL, params["statements"]),
        "steps": {"a": statements.steps(POOL, params["statements"]), **STEPS},
        "b": _fgsm(params, rng),
        "c": CLAIM_MODELS[params["claim"]["id"]],
        "d": Choices(tuple(_cost_option(c, question) for c in params["cost_order"])),
        "e": LOSS_MODELS[params["loss_question"]["id"]],
    }


def _fgsm(params: dict[str, Any], rng: np.random.Generator) -> list[float]:
    """x* = x + eps sign(dJ/dx), rounded only to undo binary noise (1.01, not 1.0100000000000002).

    Checked on a logistic regression whose loss gradient points along ``grad``: the attack
    must raise the loss.
    """
    x, grad = np.array(params["x"], dtype=float), np.array(params["grad"])
    adversarial = attacks.fgsm(x, grad, params["epsilon"])
    exact = [
        Decimal(str(v)) + Decimal(str(params["epsilon"])) * int(np.sign(g))
        for v, g in zip(params["x"], params["grad"], strict=True)
    ]
    rounded = [round(float(v), 10) for v in adversarial]
    require(rounded == [float(e) for e in exact], "FGSM against exact decimals")
    w = grad / np.linalg.norm(grad)  # loss -log(1 - sigmoid(w.x)) rises along grad
    loss = lambda v: -np.log1p(-dense.sigmoid(w @ v))  # noqa: E731
    require(loss(adversarial) > loss(x), "FGSM step raises the loss")
    return rounded


def _cost_option(cost: str, question: str) -> Option:
    """An option of (d): right when it answers the question drawn (the cost to choose is
    the non-saturating one; the generator learns slowly with the saturating one)."""
    if cost == SAME:
        return Option(
            "No difference: the two costs give the generator the same gradients",
            False,
            "The two costs have the same optimum, not the same gradients: early in training, "
            "when $D(G(z))$ is close to 0, the saturating cost's gradient vanishes and the "
            "non-saturating cost's is large.",
            "costs-same-gradients",
        )
    if cost == "non-saturating":
        return Option(
            "Non-saturating cost",
            question == "choose",
            "Its gradient is larger at the beginning of training, when the "
            "discriminator easily rejects the generator's samples.",
            "" if question == "choose" else "non-saturating-gradient-vanishes",
        )
    return Option(
        "Saturating cost",
        question == "slow",
        "Its gradient vanishes early in training, when $D(G(z))$ is close to 0.",
        "" if question == "slow" else "saturating-gradient-vanishes",
    )


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """FGSM in exact decimals; the true statements; where (d)'s right cost is printed (the
    non-saturating one to choose, the saturating one with which the generator learns slowly)."""
    truth = {s.id: s.true for s in POOL}
    eps = Decimal(str(params["epsilon"]))
    fgsm_exact = [
        float(Decimal(str(x)) + (eps if g > 0 else -eps))
        for x, g in zip(params["x"], params["grad"], strict=True)
    ]
    labels = ("i", "ii", "iii", "iv")
    return {
        "a": [label for label, i in zip(labels, params["statements"], strict=True) if truth[i]],
        "b": fgsm_exact,
        "d": "ABC"[params["cost_order"].index(RIGHT_COST[params["cost_question"]["id"]])],
    }
