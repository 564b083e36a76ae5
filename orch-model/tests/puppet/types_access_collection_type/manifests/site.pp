$x = Collection[String]
site { }
