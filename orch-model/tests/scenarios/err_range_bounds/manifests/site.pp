# Extreme bounds: no overflow, no endless list; a range too long to compute is stdlib's error.
Integer[9223372036854775806, 9223372036854775807].each |$i| { notice($i) }
$steps = range(1, 9223372036854775807, -9223372036854775807)
$r = range(-9223372036854775807, 9223372036854775807)
site { }
