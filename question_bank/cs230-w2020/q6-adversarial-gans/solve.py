"""Question 6: adversarial-attack statements, an FGSM step, and the GAN cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, Statement, attacks, dense, require, statements

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

REPLICA = {
    "statements": ["transfer", "fgsm-iterative", "dropout-defense", "black-box"],
    "x": [1, 2, 3], "grad": [0.5, -0.5, 1.0], "epsilon": 0.01,
    "cost_order": ["saturating", "non-saturating"],
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """No gradient entry is zero, so the sign of every entry is defined."""
    size = int(rng.integers(3, 6))
    signs = rng.choice([-1.0, 1.0], size=size)
    return {
        "x": [int(v) for v in rng.integers(-5, 10, size=size)],
        "grad": [float(s * rng.choice(GRADIENTS)) for s in signs],
        "epsilon": float(rng.choice(EPSILONS)),
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (d)'s options; which four statements (a) prints, in which order: none
    that (b) to (e) give away."""
    order = [COSTS[i] for i in rng.permutation(2)]
    drawn = statements.draw(POOL, 4, rng, printed=PARTS, tiers=TIERS)
    return {**params, "statements": drawn, "cost_order": order}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    return {
        "a": statements.as_choices(POOL, params["statements"]),
        "steps": {"a": statements.steps(POOL, params["statements"])},
        "b": _fgsm(params, rng),
        "d": Choices(tuple(_cost_option(c) for c in params["cost_order"])),
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


def _cost_option(cost: str) -> Option:
    if cost == "non-saturating":
        return Option(
            "Non-saturating cost",
            True,
            "Its gradient is larger at the beginning of training, when the "
            "discriminator easily rejects the generator's samples.",
        )
    return Option(
        "Saturating cost",
        False,
        "Its gradient vanishes early in training, when $D(G(z))$ is close to 0.",
        "saturating-gradient-vanishes",
    )


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """FGSM in exact decimals; the true statements; where the non-saturating cost is printed."""
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
        "d": "AB"[params["cost_order"].index("non-saturating")],
    }
