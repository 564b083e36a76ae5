# Graph errors in two instances: Puppet reports the first instance in catalog order (z).
application one() { m::prod { $name: export => Cap[$name] } }
site {
  one { 'z': nodes => { } }
  one { 'a': nodes => { } }
}
