$x = Tuple[String, 1, 2] warning($x)
site { }
