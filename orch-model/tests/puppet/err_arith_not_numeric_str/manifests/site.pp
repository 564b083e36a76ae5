# Ruby's Integer() rejects 08: not a number.
$x = "08" + 1
site { }
