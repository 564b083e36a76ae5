# Arithmetic as Puppet computes it: collections concatenate and delete, numeric strings are
# coerced (with a warning each), integers floor, shifts go both ways.
warning(String([
  [1] << 2 << 3, 1 + 2.5, 7 / 2, -7 / 2, -7 % 3, 7 % -3, 7 / -2, [1, 2] - [2], {a => 1, b => 2} - a,
  {a => 1} + [b, 2], {a => 1} + [[c, 3]], [1] + {a => 1}, [a] + 1 - 1, 1 >> -1, 2 * 3.0, 1 << 62,
  " 0x10 " + 1, "1e3" + 1, "-0x10" * 1, "010" + 1, 1 - "2.5", -"3", "+ 5" + 1, "1e-2" * 1,
]))
site { }
