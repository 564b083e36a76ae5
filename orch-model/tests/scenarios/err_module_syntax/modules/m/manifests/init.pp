application m {
  $x = = 1
}
