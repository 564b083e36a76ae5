warning(String([1, 2, 3].filter |$x| { $x > 1 }))
site { }
