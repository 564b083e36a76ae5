$x = [1, 2][undef]
site { }
