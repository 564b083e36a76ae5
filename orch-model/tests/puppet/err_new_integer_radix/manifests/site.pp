# A radix other than 2, 8, 10 or 16.
$x = Integer('12', 3)
site { }
