import Glibc

/// A shared library opened at run time with dlopen(3), for optional C dependencies (libpq) that
/// should cost no resident memory in processes that never use them. The handle is never closed:
/// libraries such as libpq register atexit and thread-local state that dlclose would leave dangling.
public struct DynamicLibrary: @unchecked Sendable {
    // @unchecked: the handle is an opaque pointer that dlsym(3) may use from any thread.
    private let handle: UnsafeMutableRawPointer
    public let name: String

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// dlopen with RTLD_NOW (missing symbols fail here, not at first call) and RTLD_LOCAL (its
    /// symbols do not leak into the global namespace).
    public static func open(_ name: String) throws(LoadError) -> DynamicLibrary {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: "cannot load \(name): \(lastError())")
        }
        return DynamicLibrary(handle: handle, name: name)
    }

    /// The address of `symbol`, cast to the `@convention(c)` function type `T`.
    public func function<T>(_ symbol: String, as type: T.Type) throws(LoadError) -> T {
        _ = dlerror()
        guard let address = dlsym(handle, symbol) else {
            throw LoadError(description: "\(name) has no symbol \(symbol): \(Self.lastError())")
        }
        return unsafeBitCast(address, to: type)
    }

    private static func lastError() -> String {
        guard let text = dlerror() else { return "unknown error" }
        return String(cString: text)
    }
}
