$x = SemVer[1]
site { }
