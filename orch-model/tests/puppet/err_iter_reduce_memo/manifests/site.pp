$x = /x/.reduce(0) |$m, $v| { $v }
site { }
