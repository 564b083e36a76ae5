warning(String([].all |$x| { false }))
site { }
