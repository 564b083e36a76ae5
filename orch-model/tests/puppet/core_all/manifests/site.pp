warning(String([1, 2, 3].all |$x| { $x > 0 }))
site { }
