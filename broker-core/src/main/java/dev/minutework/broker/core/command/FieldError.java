package dev.minutework.broker.core.command;

/**
 * One invalid field of a request, as the API reports it.
 *
 * @param path a JSON path, e.g. {@code $.input.end_time}
 * @param message what is wrong with it
 */
public record FieldError(String path, String message) {

    /** An error of an input field ({@code field} relative to {@code $.input}). */
    public static FieldError input(String field, String message) {
        return new FieldError("$.input." + field, message);
    }
}
