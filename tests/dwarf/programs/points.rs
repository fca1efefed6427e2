// Points: integers, a struct, a loop and calls, in Rust without its standard library
// (tests/dwarf: lines, functions, integer and struct variables).
#![no_std]

#[derive(Clone, Copy)]
struct Point {
    x: i32,
    y: i32,
}

#[inline(never)]
fn area(a: Point, b: Point) -> i64 {
    let w = (b.x - a.x) as i64;
    let h = (b.y - a.y) as i64;
    w * h // stop
}

#[no_mangle]
pub extern "C" fn run() {
    let origin = Point { x: 1, y: 2 };
    let corner = Point { x: 7, y: 5 };
    let mut total: i64 = 0;
    let mut k: i32 = 1;
    while k < 4 {
        let grown = Point { x: corner.x + k, y: corner.y };
        total += area(origin, grown); // stop
        k += 1;
    }
    unsafe { RESULT = total };
}

static mut RESULT: i64 = 0;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
