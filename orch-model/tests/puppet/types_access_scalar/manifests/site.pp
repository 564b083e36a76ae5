$x = Scalar[1]
site { }
