site {
  $x = 1
  if defined('$x') { notice('x is defined') }
  if defined('$nope') { notice('nope is defined') }
}
