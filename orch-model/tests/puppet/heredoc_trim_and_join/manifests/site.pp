$x = 'v'
warning(@("E"/L))
  one \
  two ${x} $x
    three
  | E
site { }
