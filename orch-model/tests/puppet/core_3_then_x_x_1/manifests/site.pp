warning(String(3.then |$x| { $x + 1 }))
site { }
