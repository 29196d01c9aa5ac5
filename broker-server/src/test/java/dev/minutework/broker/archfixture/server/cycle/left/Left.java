package dev.minutework.broker.archfixture.server.cycle.left;

import dev.minutework.broker.archfixture.server.cycle.right.Right;

/** Depends on {@link Right}, which depends back on it: a package cycle. */
public final class Left {

    private Left() {}

    public static int value() {
        return Right.value() + 1;
    }

    public static int base() {
        return 1;
    }
}
