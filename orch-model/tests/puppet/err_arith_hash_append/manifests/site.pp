$x = {a => 1} + [b]
site { }
