$h = @(E/t)
  a\tb
  E
warning($h)
site { }
