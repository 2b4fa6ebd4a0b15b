# vpce-probe: one static binary in an otherwise empty image.
#
# Build:  docker build -t vpce-probe .
# The final stage has no shell, no libc and no CA bundle: TLS roots are
# compiled into the binary, and DNS is read from the /etc/resolv.conf and
# /etc/hosts that the container runtime injects.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The manifest declares the bench helpers as examples; cargo wants their files.
COPY bench ./bench
RUN target="$(rustc -vV | sed -n 's/^host: //p')" \
 && RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target" \
 && cp "target/$target/release/vpce-probe" /vpce-probe

FROM scratch
COPY --from=build /vpce-probe /vpce-probe
# nobody:nogroup; the probe needs no privileges and no writable files.
USER 65534:65534
ENTRYPOINT ["/vpce-probe"]
