# A non-component in the site (a validator's error) and a failing application body (an
# evaluation error, though declared later): Puppet reports the evaluation error.
application one() { fail("broken ${name}") }
site {
  notify { 'not a component': }
  one { 'a': nodes => { } }
}
