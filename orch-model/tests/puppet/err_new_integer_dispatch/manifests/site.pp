# No signature takes a String radix.
$x = Integer('1', 'x')
site { }
