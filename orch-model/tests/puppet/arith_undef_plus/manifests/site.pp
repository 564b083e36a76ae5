$x = undef + 1
site { }
