$x = {a => 1} << 1
site { }
