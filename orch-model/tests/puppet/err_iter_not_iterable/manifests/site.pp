# A method call's errors are placed at its dot.
$x = [1, 2]
$y = 3.5
$z = $y
  .each |$v| { }
site { }
