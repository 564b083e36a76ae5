# A reversed range is an error where the type is written.
$ok = Integer[1, default]
$x = Array[Float[2.5, 1]]
site { }
