$x = NotUndef[String, String]
site { }
