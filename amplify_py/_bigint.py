"""Modular exponentiation for SRP: GMP (through gmpy2) when it is installed, the built-in ``pow`` otherwise.

A 3072-bit modexp is most of an SRP sign-in, on the engine's side and the client's; GMP does it
about seven times faster than CPython's ``pow``. gmpy2 is a runtime dependency, so the fallback
only serves an install where it is missing (no wheel for the platform). Both give the same numbers.

Everything here returns a plain ``int``: an ``mpz`` is not an ``int`` (``isinstance`` fails, JSON
refuses it), so none leaves this module. The engine (``amplify_py.local``) and the client
(``amplify_py.auth``) both use this one module, so neither has to import the other.

Neither back-end is constant-time (``gmpy2.powmod_sec`` is, at 30-60% more cost); the built-in
``pow`` used before was not either.
"""

from __future__ import annotations

from typing import Any

try:
    import gmpy2 as _gmpy2
except ImportError:  # pragma: no cover - the fallback is exercised by forcing BACKEND in tests
    _gmpy2 = None

__all__ = ["AVAILABLE", "BACKEND", "Comb", "FixedBase", "powmod"]

AVAILABLE: tuple[str, ...] = ("gmpy2", "builtin") if _gmpy2 is not None else ("builtin",)
"""The back-ends this Python can use, fastest first."""

BACKEND: str = AVAILABLE[0]
"""The back-end in use ("gmpy2" or "builtin"); read on every call, so a test may switch it."""


def _number(value: int) -> Any:
    """``value`` in the back-end's own integer type (``mpz`` multiplies faster than ``int``)."""
    return _gmpy2.mpz(value) if BACKEND == "gmpy2" else value


def powmod(base: int, exponent: int, modulus: int) -> int:
    """``base ** exponent % modulus`` as a plain ``int``."""
    if BACKEND == "gmpy2":
        return int(_gmpy2.powmod(base, exponent, modulus))
    return pow(base, exponent, modulus)


class FixedBase:
    """``base ** e % modulus`` for one base and many exponents of at most ``max_bits`` bits.

    A table of ``base ** (d * 2 ** (window * i))`` for every ``window``-bit digit ``d`` (built once, on first
    use) turns the ~``max_bits`` squarings of a modexp into ``max_bits / window`` multiplications. For SRP's
    g^b and g^x (256 bits, 3072-bit modulus): window 4 is 64 multiplications and a 0.4 MB table, about three
    times faster than ``powmod``; window 8 is 32 and 3 MB, faster again by 1.8x. Larger or negative exponents
    go to ``powmod``.
    """

    def __init__(self, base: int, modulus: int, max_bits: int, window: int = 4) -> None:
        self.base = base
        self.modulus = modulus
        self.max_bits = max_bits
        self.window = window
        self._tables: dict[str, tuple[Any, list[list[Any]]]] = {}  # per back-end: (modulus, rows)

    def _table(self) -> tuple[Any, list[list[Any]]]:
        table = self._tables.get(BACKEND)
        if table is None:
            modulus = _number(self.modulus)
            step = _number(self.base % self.modulus)
            rows = []
            for _ in range(-(-self.max_bits // self.window)):
                row = [_number(1), step]
                for _ in range(2, 1 << self.window):
                    row.append(row[-1] * step % modulus)
                rows.append(row)
                step = row[-1] * step % modulus  # base ** (16 ** (i + 1))
            table = self._tables[BACKEND] = (modulus, rows)
        return table

    def pow(self, exponent: int) -> int:
        """``base ** exponent % modulus`` as a plain ``int``."""
        if exponent < 0 or exponent.bit_length() > self.max_bits:
            return powmod(self.base, exponent, self.modulus)
        modulus, rows = self._table()
        result = _number(1 % self.modulus)
        mask = (1 << self.window) - 1
        for row in rows:
            if not exponent:
                break
            digit = exponent & mask
            if digit:
                result = result * row[digit] % modulus
            exponent >>= self.window
        return int(result)


class Comb:
    """``base ** e % modulus`` for one base and many exponents of at most ``bits`` bits (Lim-Lee's comb).

    The exponent's bits are read as ``teeth`` rows of ``bits / teeth`` columns; a table of the ``2 ** teeth``
    products of ``base ** (2 ** (row * columns))`` (built once, on first use) turns a modexp into ``columns``
    squarings and ``columns`` multiplications. Compared with ``FixedBase`` it costs the same per exponent
    with 8 teeth and a sixteenth of the memory, and is cheap enough to build for a base used a few times:
    with 4 teeth, building it costs about two thirds of one ``powmod`` and each use a little over a third.
    Larger or negative exponents go to ``powmod``.
    """

    def __init__(self, base: int, modulus: int, bits: int, teeth: int = 8) -> None:
        self.base = base
        self.modulus = modulus
        self.bits = bits
        self.teeth = teeth
        self.columns = -(-bits // teeth)
        self._tables: dict[str, tuple[Any, list[Any]]] = {}  # per back-end: (modulus, products)

    def _table(self) -> tuple[Any, list[Any]]:
        table = self._tables.get(BACKEND)
        if table is None:
            modulus = _number(self.modulus)
            rows = [_number(self.base % self.modulus)]
            for _ in range(1, self.teeth):
                value = rows[-1]
                for _ in range(self.columns):
                    value = value * value % modulus
                rows.append(value)  # base ** (2 ** (row * columns))
            products = [_number(1 % self.modulus)]
            for row in rows:  # products[j]: the product of rows[i] for each bit i set in j
                products += [p * row % modulus for p in products]
            table = self._tables[BACKEND] = (modulus, products)
        return table

    def pow(self, exponent: int) -> int:
        """``base ** exponent % modulus`` as a plain ``int``."""
        if exponent < 0 or exponent.bit_length() > self.bits:
            return powmod(self.base, exponent, self.modulus)
        modulus, products = self._table()
        columns = self.columns
        digits = format(exponent, "b").zfill(columns * self.teeth)
        # rows[i] holds bits [i*columns, (i+1)*columns) of the exponent; the string is most significant first
        rows = [digits[len(digits) - (i + 1) * columns:len(digits) - i * columns] for i in range(self.teeth)]
        result = _number(1 % self.modulus)
        for column in range(columns):
            index = 0
            for i in range(self.teeth - 1, -1, -1):
                index = (index << 1) | (rows[i][column] == "1")
            result = result * result % modulus
            if index:
                result = result * products[index] % modulus
        return int(result)
