# Doubling the memo at every step asks for 2^200000 elements: orch stops at
# MAX_VALUE_ELEMENTS, at the lambda whose result went past it.
$big = Integer[1, 200000].reduce([1]) |$memo, $i| { $memo + $memo }
site { }
