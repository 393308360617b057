"""The only place random generators and variant codes are made.

Every stream is keyed by the instructor's secret as well as by the exam seed, the
question id, the variant and the purpose ("params", "choices", "checks"):
HMAC-SHA256 of that context under the secret seeds numpy's generator.  Keyed by
id, never by position: adding, removing or reordering questions leaves every other
question's numbers alone.

The code printed on a student's pages is an HMAC as well, so a page tells nobody
without the secret which seed or copy it came from, and nobody can rebuild it.  Its
last two digits check the first ten under the secret: a mistyped code, or a code used
with another secret file, is caught before anything is built.  Public mode
(``--public``) uses a secret everyone knows, for demos, documentation and tests.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads when a stream is made: the CLI reads MAX_SEED without it
    import numpy as np

ID_DIGITS = 10  # hex digits naming a copy: 40 bits, a clash in a class of 2000 is 1 in 550,000
CHECK_DIGITS = 2  # hex digits checking them under the secret (1 in 256 typos get through)
CODE_DIGITS = ID_DIGITS + CHECK_DIGITS
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class Secret:
    """The key of every stream and code; ``public`` when it is the published one."""

    key: bytes
    public: bool = False

    def mac(self, *context: object) -> bytes:
        """HMAC-SHA256 of the context fields (separated by a byte no field holds)."""
        message = "\x1f".join(str(part) for part in context).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """Names the secret in key.json without revealing it (which file made this run?)."""
        return self.mac("fingerprint").hex()[:16]

    def __repr__(self) -> str:  # never print the key, not even in a traceback
        return "Secret(public)" if self.public else f"Secret({self.fingerprint})"


PUBLIC = Secret(b"exam-variant-generator public mode: anyone can rebuild these exams", True)


@dataclass(frozen=True)
class Seeding:
    """An exam seed under a secret: the streams of its questions and the codes of its copies."""

    seed: int
    secret: Secret = PUBLIC

    def __post_init__(self) -> None:
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seeds are whole numbers from 0 to {MAX_SEED}")

    def rng(self, question_id: str, variant: str, purpose: str = "params") -> np.random.Generator:
        """The generator for one purpose of one question in the copy coded ``variant``."""
        import numpy as np

        digest = self.secret.mac("stream", self.seed, variant, question_id, purpose)
        return np.random.default_rng(np.frombuffer(digest, dtype="<u4").tolist())

    def weight(self, variant: str, purpose: str, item: str) -> int:
        """A number no one can predict without the secret, fixed for ``item`` in one copy:
        pools keep the items of highest weight, and shuffles sort by it
        (generator.variants.draws)."""
        digest = self.secret.mac("weight", self.seed, variant, purpose, item)
        return int.from_bytes(digest[:8], "big")

    def copy_code(self, number: int) -> str:
        """The code of numbered copy ``number`` (v0 is the exam ``--seed N`` builds)."""
        if number < 0:
            raise ValueError("copy numbers are whole numbers >= 0")
        return self._code(self.secret.mac("copy", self.seed, number))

    def pool_code(self, number: int) -> str:
        """The code of copy ``number`` of a variant pool (``--pool``): the key of its
        streams, printed on no page (each student's pages print their own code)."""
        if number < 0:
            raise ValueError("pool copy numbers are whole numbers >= 0")
        return self._code(self.secret.mac("pool", self.seed, number))

    def student_code(self, student_id: str) -> str:
        """The code of a student's copy: fixed by their id, whoever else is on the roster."""
        return self._code(self.secret.mac("student", self.seed, student_id))

    @property
    def exam_code(self) -> str:
        """Names this exam in LMS files (quiz titles, ids) without giving its seed away."""
        return self._code(self.secret.mac("exam", self.seed))

    def is_code(self, text: str) -> bool:
        """Whether ``text`` is a copy code made under this secret (any seed)."""
        if len(text) != CODE_DIGITS or text.strip("0123456789abcdef"):
            return False
        return hmac.compare_digest(text[ID_DIGITS:], self._check(text[:ID_DIGITS]))

    def _code(self, digest: bytes) -> str:
        identity = digest.hex()[:ID_DIGITS]
        return identity + self._check(identity)

    def _check(self, identity: str) -> str:
        return self.secret.mac("check", identity).hex()[:CHECK_DIGITS]
