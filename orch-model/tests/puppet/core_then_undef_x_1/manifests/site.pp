warning(String(then(undef) |$x| { 1 }))
site { }
