;; The component that examples/jco/child runs through `jco transpile`.
;;
;; It exists to make jco emit every piece of its resource runtime: handle
;; tables for guest resource types defined in two component instances and
;; for a host resource they import, resource.new/rep/drop, own and borrow
;; handles passed from one component to another (jco's cross-component
;; transfer functions and the per-call borrow tracking of its tasks), and
;; the host-to-guest export wrappers. The child never runs the core code
;; below on protocol operations; it calls the functions jco generated for
;; these components (examples/jco/README.md).
;;
;;   provider  defines r0 and r1 (two types of one instance) and exports
;;             functions that take and return own and borrow handles of r0
;;             and of the host resource;
;;   consumer  defines s, imports the provider's instance, and passes own
;;             and borrow handles of r0 and of the host resource across;
;;   the outer component exports the consumer's functions as test:jco/api.
(component
  (import "host-res" (type $host (sub resource)))

  (component $provider
    (import "host-res" (type $host (sub resource)))
    (core module $dtors
      (func (export "r0-dtor") (param i32))
    )
    (core instance $dtors (instantiate $dtors))
    (type $r0 (resource (rep i32) (dtor (core func $dtors "r0-dtor"))))
    (type $r1 (resource (rep i32)))
    (core func $r0-new (canon resource.new $r0))
    (core func $r0-rep (canon resource.rep $r0))
    (core func $r0-drop (canon resource.drop $r0))
    (core func $r1-new (canon resource.new $r1))
    (core func $r1-drop (canon resource.drop $r1))
    (core func $host-drop (canon resource.drop $host))
    (core module $code
      (import "" "r0-new" (func $r0-new (param i32) (result i32)))
      (import "" "r0-rep" (func $r0-rep (param i32) (result i32)))
      (import "" "r0-drop" (func $r0-drop (param i32)))
      (import "" "r1-new" (func $r1-new (param i32) (result i32)))
      (import "" "r1-drop" (func $r1-drop (param i32)))
      (import "" "host-drop" (func $host-drop (param i32)))
      (func (export "make-r0") (param i32) (result i32) local.get 0 call $r0-new)
      (func (export "make-r1") (param i32) (result i32) local.get 0 call $r1-new)
      ;; a borrow of its own type arrives as the rep
      (func (export "peek-r0") (param i32) (result i32) local.get 0)
      (func (export "take-r0") (param i32) (result i32)
        (local $rep i32)
        local.get 0 call $r0-rep local.set $rep
        local.get 0 call $r0-drop
        local.get $rep)
      ;; a borrow of the host's type arrives as a borrow handle, which must
      ;; be dropped before the call returns
      (func (export "peek-host") (param i32) (result i32)
        local.get 0 call $host-drop
        local.get 0)
      (func (export "take-host") (param i32) local.get 0 call $host-drop)
    )
    (core instance $code (instantiate $code (with "" (instance
      (export "r0-new" (func $r0-new)) (export "r0-rep" (func $r0-rep))
      (export "r0-drop" (func $r0-drop)) (export "r1-new" (func $r1-new))
      (export "r1-drop" (func $r1-drop)) (export "host-drop" (func $host-drop))))))
    (func $make-r0 (param "rep" u32) (result (own $r0)) (canon lift (core func $code "make-r0")))
    (func $make-r1 (param "rep" u32) (result (own $r1)) (canon lift (core func $code "make-r1")))
    (func $peek-r0 (param "r" (borrow $r0)) (result u32) (canon lift (core func $code "peek-r0")))
    (func $take-r0 (param "r" (own $r0)) (result u32) (canon lift (core func $code "take-r0")))
    (func $peek-host (param "h" (borrow $host)) (result u32) (canon lift (core func $code "peek-host")))
    (func $take-host (param "h" (own $host)) (canon lift (core func $code "take-host")))
    (export $r0-out "r0" (type $r0))
    (export $r1-out "r1" (type $r1))
    (export "make-r0" (func $make-r0) (func (param "rep" u32) (result (own $r0-out))))
    (export "make-r1" (func $make-r1) (func (param "rep" u32) (result (own $r1-out))))
    (export "peek-r0" (func $peek-r0) (func (param "r" (borrow $r0-out)) (result u32)))
    (export "take-r0" (func $take-r0) (func (param "r" (own $r0-out)) (result u32)))
    (export "peek-host" (func $peek-host))
    (export "take-host" (func $take-host))
  )
  (instance $provider (instantiate $provider (with "host-res" (type $host))))

  (component $consumer
    (import "host-res" (type $host (sub resource)))
    (import "provider" (instance $provider
      (export "r0" (type $r0 (sub resource)))
      (export "make-r0" (func (param "rep" u32) (result (own $r0))))
      (export "peek-r0" (func (param "r" (borrow $r0)) (result u32)))
      (export "take-r0" (func (param "r" (own $r0)) (result u32)))
      (export "peek-host" (func (param "h" (borrow $host)) (result u32)))
      (export "take-host" (func (param "h" (own $host))))
    ))
    (type $s (resource (rep i32)))
    (core func $s-new (canon resource.new $s))
    (core func $s-rep (canon resource.rep $s))
    (core func $s-drop (canon resource.drop $s))
    (core func $make-r0 (canon lower (func $provider "make-r0")))
    (core func $peek-r0 (canon lower (func $provider "peek-r0")))
    (core func $take-r0 (canon lower (func $provider "take-r0")))
    (core func $peek-host (canon lower (func $provider "peek-host")))
    (core func $take-host (canon lower (func $provider "take-host")))
    (core module $code
      (import "" "s-new" (func $s-new (param i32) (result i32)))
      (import "" "s-rep" (func $s-rep (param i32) (result i32)))
      (import "" "s-drop" (func $s-drop (param i32)))
      (import "" "make-r0" (func $make-r0 (param i32) (result i32)))
      (import "" "peek-r0" (func $peek-r0 (param i32) (result i32)))
      (import "" "take-r0" (func $take-r0 (param i32) (result i32)))
      (import "" "peek-host" (func $peek-host (param i32) (result i32)))
      (import "" "take-host" (func $take-host (param i32)))
      ;; make an r0 with the given rep, lend it, then give it away: returns
      ;; the rep the provider saw when it took it
      (func (export "pass-r0") (param i32) (result i32)
        (local $h i32)
        local.get 0 call $make-r0 local.set $h
        local.get $h call $peek-r0 drop
        local.get $h call $take-r0)
      ;; lend the host resource, then give it away
      (func (export "pass-host") (param i32) (result i32)
        local.get 0 call $peek-host drop
        local.get 0 call $take-host
        i32.const 0)
      ;; resource.new, .rep and .drop on its own type
      (func (export "round-trip-s") (param i32) (result i32)
        (local $h i32) (local $rep i32)
        local.get 0 call $s-new local.set $h
        local.get $h call $s-rep local.set $rep
        local.get $h call $s-drop
        local.get $rep)
    )
    (core instance $code (instantiate $code (with "" (instance
      (export "s-new" (func $s-new)) (export "s-rep" (func $s-rep)) (export "s-drop" (func $s-drop))
      (export "make-r0" (func $make-r0)) (export "peek-r0" (func $peek-r0))
      (export "take-r0" (func $take-r0)) (export "peek-host" (func $peek-host))
      (export "take-host" (func $take-host))))))
    (func $pass-r0 (param "rep" u32) (result u32) (canon lift (core func $code "pass-r0")))
    (func $pass-host (param "h" (own $host)) (result u32) (canon lift (core func $code "pass-host")))
    (func $round-trip-s (param "rep" u32) (result u32) (canon lift (core func $code "round-trip-s")))
    (export "pass-r0" (func $pass-r0))
    (export "pass-host" (func $pass-host))
    (export "round-trip-s" (func $round-trip-s))
  )
  (instance $consumer (instantiate $consumer
    (with "host-res" (type $host)) (with "provider" (instance $provider))))

  (instance $api
    (export "pass-r0" (func $consumer "pass-r0"))
    (export "pass-host" (func $consumer "pass-host"))
    (export "round-trip-s" (func $consumer "round-trip-s")))
  (export "test:jco/api" (instance $api))
)
