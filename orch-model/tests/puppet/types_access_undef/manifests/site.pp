$x = Undef[1]
site { }
